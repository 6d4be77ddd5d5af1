"""Recreate the dashboard's case rollups from the case tables (after a holiday change)."""

from django.core.management.base import BaseCommand

from civicloop.dashboard import rollups


class Command(BaseCommand):
    help = "重建数据驾驶舱的工单汇总（修改节假日后运行）"

    def handle(self, *args, **options):
        result = rollups.rebuild()
        self.stdout.write(f"已汇总 {result['events']} 条办理记录，{result['cases']} 件工单")
