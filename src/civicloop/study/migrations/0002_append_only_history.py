from django.db import migrations

from civicloop.core.appendonly import protect_table


class Migration(migrations.Migration):
    dependencies = [
        ("study", "0001_initial"),
    ]

    operations = [
        *protect_table("study_reflectionevent"),
        *protect_table("study_auditentry"),
    ]
