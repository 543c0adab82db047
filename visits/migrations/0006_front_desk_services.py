"""Front-desk services: rentals (房屋租赁), move-out (撤租), the gate (visitors, the tenant
directory, documents and parcels left for residents)."""

import django.db.models.deletion
import propserv.phones
import visits.models.rentals
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("visits", "0005_web_reports_and_handover_recipients"),
        ("propserv", "0008_quality_surveys_routine_callbacks_departments"),
        ("fees", "0005_charge_months"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='OfficeTenant',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('company', models.CharField(max_length=100, verbose_name='company')),
                ('floor', models.SmallIntegerField(verbose_name='floor')),
                ('reception_phone', models.CharField(blank=True, max_length=20, validators=[propserv.phones.phone_validator], verbose_name="company's reception phone")),
                ('active', models.BooleanField(default=True, verbose_name='in the building')),
                ('added_at', models.DateTimeField(verbose_name='added at')),
                ('added_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('estate', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='propserv.estate')),
                ('unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='office_tenants', to='propserv.unit', verbose_name='unit')),
            ],
            options={
                'verbose_name': 'office tenant',
                'verbose_name_plural': 'tenant directory',
                'ordering': ['company', 'id'],
            },
        ),
        migrations.CreateModel(
            name='GateVisitor',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=64, verbose_name='visitor')),
                ('id_last4', models.CharField(blank=True, max_length=4, verbose_name='ID card, last 4')),
                ('people', models.PositiveSmallIntegerField(default=1, verbose_name='number of people')),
                ('purpose', models.CharField(blank=True, max_length=200, verbose_name='purpose')),
                ('host_name', models.CharField(max_length=64, verbose_name='host')),
                ('host_agreed', models.BooleanField(verbose_name='host called and agreed')),
                ('arrived_at', models.DateTimeField(verbose_name='in')),
                ('left_at', models.DateTimeField(blank=True, null=True, verbose_name='out')),
                ('estate', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='propserv.estate')),
                ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('unit', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='gate_visitors', to='propserv.unit', verbose_name='unit')),
                ('company', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='visitors', to='visits.officetenant', verbose_name='company')),
            ],
            options={
                'verbose_name': 'visitor',
                'verbose_name_plural': 'visitor register',
                'ordering': ['-arrived_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='Parcel',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('document', 'Document or letter'), ('parcel', 'Parcel')], max_length=16, verbose_name='kind')),
                ('description', models.CharField(max_length=200, verbose_name='what was left')),
                ('for_name', models.CharField(max_length=64, verbose_name='for')),
                ('left_by', models.CharField(max_length=64, verbose_name='left by')),
                ('logged_at', models.DateTimeField(verbose_name='logged at')),
                ('status', models.CharField(choices=[('held', 'Held at the desk'), ('forwarded', 'Forwarded'), ('collected', 'Collected')], default='held', max_length=16, verbose_name='status')),
                ('forwarded_at', models.DateTimeField(blank=True, null=True, verbose_name='forwarded at')),
                ('forwarded_to', models.CharField(blank=True, max_length=100, verbose_name='forwarded to')),
                ('collected_at', models.DateTimeField(blank=True, null=True, verbose_name='collected at')),
                ('collected_by_name', models.CharField(blank=True, max_length=64, verbose_name='collected by')),
                ('collected_recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('company', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='parcels', to='visits.officetenant', verbose_name='company')),
                ('estate', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='propserv.estate')),
                ('forwarded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('logged_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('unit', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='parcels', to='propserv.unit', verbose_name='unit')),
            ],
            options={
                'verbose_name': 'document or parcel',
                'verbose_name_plural': 'documents and parcels',
                'ordering': ['-logged_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='RentalListing',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('asking_rent', models.DecimalField(decimal_places=2, max_digits=12, verbose_name='asking rent per month (¥)')),
                ('available_from', models.DateField(verbose_name='available from')),
                ('description', models.CharField(blank=True, max_length=300, verbose_name='description')),
                ('contact_consent', models.BooleanField(default=False, verbose_name='owner agrees to share contacts')),
                ('by_attorney', models.BooleanField(default=False, verbose_name='let by the office under power of attorney')),
                ('attorney_file', models.FileField(blank=True, upload_to=visits.models.rentals.attorney_path, verbose_name='power of attorney')),
                ('attorney_content_type', models.CharField(blank=True, max_length=48)),
                ('status', models.CharField(choices=[('open', 'To let'), ('let', 'Let'), ('withdrawn', 'Withdrawn')], default='open', max_length=16, verbose_name='status')),
                ('registered_at', models.DateTimeField(verbose_name='registered at')),
                ('closed_at', models.DateTimeField(blank=True, null=True, verbose_name='closed at')),
                ('estate', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='propserv.estate')),
                ('owner', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='rental_listings', to='propserv.resident', verbose_name='owner')),
                ('registered_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='rental_listings', to='propserv.unit', verbose_name='unit')),
            ],
            options={
                'verbose_name': 'unit to let',
                'verbose_name_plural': 'units to let',
                'ordering': ['-registered_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='RentalMatch',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('proposed', 'Proposed to the seeker'), ('viewing', 'Viewing booked'), ('viewed', 'Viewed'), ('declined', 'Declined'), ('leased', 'Lease signed')], default='proposed', max_length=16, verbose_name='status')),
                ('proposed_at', models.DateTimeField(verbose_name='proposed at')),
                ('viewing_at', models.DateTimeField(blank=True, null=True, verbose_name='viewing at')),
                ('outcome', models.CharField(blank=True, max_length=200, verbose_name='outcome')),
                ('estate', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='propserv.estate')),
                ('listing', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='matches', to='visits.rentallisting')),
                ('proposed_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'rental match',
                'verbose_name_plural': 'rental matches',
                'ordering': ['-proposed_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='Lease',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('monthly_rent', models.DecimalField(decimal_places=2, max_digits=12, verbose_name='rent per month (¥)')),
                ('signed_on', models.DateField(verbose_name='signed on')),
                ('starts_on', models.DateField(verbose_name='starts on')),
                ('ends_on', models.DateField(verbose_name='ends on')),
                ('document', models.FileField(blank=True, upload_to=visits.models.rentals.lease_path, verbose_name='signed lease')),
                ('document_content_type', models.CharField(blank=True, max_length=48)),
                ('agency_fee', models.DecimalField(decimal_places=2, default=0, max_digits=12, verbose_name='agency fee (¥)')),
                ('filed_at', models.DateTimeField(verbose_name='filed at')),
                ('agency_charge', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='fees.charge')),
                ('estate', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='propserv.estate')),
                ('filed_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('tenant', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='lease', to='propserv.resident', verbose_name='tenant')),
                ('unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='leases', to='propserv.unit', verbose_name='unit')),
                ('listing', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='leases', to='visits.rentallisting')),
                ('match', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='lease', to='visits.rentalmatch')),
            ],
            options={
                'verbose_name': 'lease',
                'verbose_name_plural': 'leases',
                'ordering': ['-filed_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='RentalSeeker',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=64, verbose_name='name')),
                ('phone', models.CharField(max_length=20, validators=[propserv.phones.phone_validator], verbose_name='phone')),
                ('budget', models.DecimalField(decimal_places=2, max_digits=12, verbose_name='budget per month (¥)')),
                ('needs', models.CharField(blank=True, max_length=300, verbose_name='needs')),
                ('wanted_from', models.DateField(blank=True, null=True, verbose_name='wanted from')),
                ('status', models.CharField(choices=[('open', 'Looking'), ('housed', 'Housed'), ('withdrawn', 'Withdrawn')], default='open', max_length=16, verbose_name='status')),
                ('registered_at', models.DateTimeField(verbose_name='registered at')),
                ('estate', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='propserv.estate')),
                ('registered_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'rental seeker',
                'verbose_name_plural': 'rental seekers',
                'ordering': ['-registered_at', '-id'],
            },
        ),
        migrations.AddField(
            model_name='rentalmatch',
            name='seeker',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='matches', to='visits.rentalseeker'),
        ),
        migrations.CreateModel(
            name='MoveOut',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('planned_on', models.DateField(verbose_name='moving out on')),
                ('status', models.CharField(choices=[('open', 'Checklist open'), ('done', 'Moved out')], default='open', max_length=16, verbose_name='status')),
                ('keys_returned_at', models.DateTimeField(blank=True, null=True, verbose_name='keys and passes returned at')),
                ('keys_note', models.CharField(blank=True, max_length=200, verbose_name='keys and passes')),
                ('inspected_at', models.DateTimeField(blank=True, null=True, verbose_name='unit inspected at')),
                ('inspection_note', models.CharField(blank=True, max_length=300, verbose_name='inspection findings')),
                ('started_at', models.DateTimeField(verbose_name='started at')),
                ('completed_at', models.DateTimeField(blank=True, null=True, verbose_name='checklist completed at')),
                ('moved_out_on', models.DateField(blank=True, null=True, verbose_name='moved out on')),
                ('completed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('estate', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='propserv.estate')),
                ('inspected_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('keys_returned_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('started_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('tenant', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='move_outs', to='propserv.resident', verbose_name='tenant')),
                ('unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='move_outs', to='propserv.unit', verbose_name='unit')),
            ],
            options={
                'verbose_name': 'move-out',
                'verbose_name_plural': 'move-outs',
                'ordering': ['-started_at', '-id'],
                'constraints': [models.UniqueConstraint(condition=models.Q(('status', 'open')), fields=('tenant',), name='move_out_one_open_per_tenant'), models.CheckConstraint(condition=models.Q(('status', 'open'), models.Q(('completed_at__isnull', False), ('inspected_at__isnull', False), ('keys_returned_at__isnull', False), ('moved_out_on__isnull', False)), _connector='OR'), name='move_out_done_has_checklist')],
            },
        ),
        migrations.AddConstraint(
            model_name='officetenant',
            constraint=models.UniqueConstraint(condition=models.Q(('active', True)), fields=('estate', 'company'), name='office_tenant_company_once'),
        ),
        migrations.AddConstraint(
            model_name='gatevisitor',
            constraint=models.CheckConstraint(condition=models.Q(('host_agreed', True)), name='gate_visitor_host_agreed'),
        ),
        migrations.AddConstraint(
            model_name='gatevisitor',
            constraint=models.CheckConstraint(condition=models.Q(('unit__isnull', False), ('company__isnull', False), _connector='OR'), name='gate_visitor_has_destination'),
        ),
        migrations.AddConstraint(
            model_name='gatevisitor',
            constraint=models.CheckConstraint(condition=models.Q(('left_at__isnull', True), ('left_at__gte', models.F('arrived_at')), _connector='OR'), name='gate_visitor_leaves_after_arriving'),
        ),
        migrations.AddConstraint(
            model_name='parcel',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'collected'), _negated=True), models.Q(('collected_at__isnull', False), models.Q(('collected_by_name', ''), _negated=True)), _connector='OR'), name='parcel_collected_by_someone'),
        ),
        migrations.AddConstraint(
            model_name='parcel',
            constraint=models.CheckConstraint(condition=models.Q(('status', 'held'), ('forwarded_at__isnull', False), ('collected_at__isnull', False), _connector='OR'), name='parcel_moved_has_time'),
        ),
        migrations.AddConstraint(
            model_name='rentallisting',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'open')), fields=('unit',), name='rental_listing_one_open_per_unit'),
        ),
        migrations.AddConstraint(
            model_name='rentallisting',
            constraint=models.CheckConstraint(condition=models.Q(('asking_rent__gt', 0)), name='rental_listing_rent_positive'),
        ),
        migrations.AddConstraint(
            model_name='rentallisting',
            constraint=models.CheckConstraint(condition=models.Q(('by_attorney', False), models.Q(('attorney_file', ''), _negated=True), _connector='OR'), name='rental_listing_attorney_has_file'),
        ),
        migrations.AddConstraint(
            model_name='lease',
            constraint=models.CheckConstraint(condition=models.Q(('ends_on__gt', models.F('starts_on'))), name='lease_ends_after_start'),
        ),
        migrations.AddConstraint(
            model_name='lease',
            constraint=models.CheckConstraint(condition=models.Q(('monthly_rent__gt', 0)), name='lease_rent_positive'),
        ),
        migrations.AddConstraint(
            model_name='lease',
            constraint=models.CheckConstraint(condition=models.Q(('agency_fee__gte', 0)), name='lease_fee_not_negative'),
        ),
        migrations.AddConstraint(
            model_name='rentalseeker',
            constraint=models.CheckConstraint(condition=models.Q(('budget__gt', 0)), name='rental_seeker_budget_positive'),
        ),
        migrations.AddConstraint(
            model_name='rentalmatch',
            constraint=models.UniqueConstraint(fields=('listing', 'seeker'), name='rental_match_once_per_pair'),
        ),
    ]
