# The points ledger, service records and the audit trail refuse UPDATE and DELETE in the database.

from django.db import migrations

from civicloop.core.appendonly import protect_table


class Migration(migrations.Migration):

    dependencies = [
        ("volunteering", "0003_taskclaim_reminded_at"),
    ]

    operations = [
        *protect_table("volunteering_pointsentry"),
        *protect_table("volunteering_servicerecord"),
        *protect_table("volunteering_volunteerevent"),
    ]
