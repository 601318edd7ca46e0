# Drafts become one-to-one with their invitation (still keyed by the token hash), so the
# submit reads both in one query. Drafts are short-lived: the table is recreated.

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('surveys', '0002_unit_links_on_delete'),
    ]

    operations = [
        migrations.DeleteModel(name='Draft'),
        migrations.CreateModel(
            name='Draft',
            fields=[
                ('invitation', models.OneToOneField(db_column='token_hash', on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='draft', serialize=False, to='surveys.invitation', to_field='token_hash')),
                ('answers', models.JSONField(default=dict)),
                ('background', models.JSONField(default=dict)),
                ('page', models.PositiveSmallIntegerField(default=0)),
                ('language', models.CharField(blank=True, max_length=8)),
                ('idempotency_key', models.UUIDField(blank=True, null=True)),
                ('updated_on', models.DateField(default=django.utils.timezone.localdate)),
                ('campaign', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='surveys.campaign')),
            ],
        ),
    ]
