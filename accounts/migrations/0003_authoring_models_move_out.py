"""PreviewKey and ReviewRequest now belong to the authoring app (authoring/0001).

Only Django's idea of the models changes here: the tables, their rows and their content types
stay, and authoring/0001 takes them over under the same table names.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_author_and_editor_roles")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="PreviewKey"),
                migrations.DeleteModel(name="ReviewRequest"),
            ],
            database_operations=[],
        )
    ]
