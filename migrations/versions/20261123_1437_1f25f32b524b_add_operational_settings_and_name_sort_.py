"""Add the operational settings (scalars, opening hours, public holidays) and users'
Vietnamese name sort key.

Existing users get their sort key computed here; the official 2026 public holidays are
seeded (the administrator confirms the list each year in the settings page).

Revision ID: 1f25f32b524b
Revises: 2c3a9587114f
Create Date: 2026-11-23 14:37:41.133596

"""
from datetime import date, datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '1f25f32b524b'
down_revision = '2c3a9587114f'
branch_labels = None
depends_on = None

# The official 2026 public holidays (a copy: migrations do not follow later code changes).
HOLIDAYS_2026 = [
    (date(2026, 1, 1), 'Tết Dương lịch'),
    (date(2026, 2, 16), 'Tết Nguyên đán'),
    (date(2026, 2, 17), 'Tết Nguyên đán'),
    (date(2026, 2, 18), 'Tết Nguyên đán'),
    (date(2026, 2, 19), 'Tết Nguyên đán'),
    (date(2026, 2, 20), 'Tết Nguyên đán'),
    (date(2026, 4, 27), 'Giỗ Tổ Hùng Vương (nghỉ bù)'),
    (date(2026, 4, 30), 'Ngày Chiến thắng 30/4'),
    (date(2026, 5, 1), 'Quốc tế Lao động 1/5'),
    (date(2026, 9, 1), 'Quốc khánh'),
    (date(2026, 9, 2), 'Quốc khánh'),
]


def upgrade():
    op.create_table('public_holidays',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_public_holidays'))
    )
    op.create_table('settings',
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_settings'))
    )
    op.create_table('opening_hours',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('center_id', sa.Integer(), nullable=True),
    sa.Column('province_code', sa.Integer(), nullable=True),
    sa.Column('opens_minute', sa.Integer(), nullable=False),
    sa.Column('closes_minute', sa.Integer(), nullable=False),
    sa.Column('closed_weekdays', sa.String(length=20), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('(center_id IS NULL) <> (province_code IS NULL)', name=op.f('ck_opening_hours_center_or_province')),
    sa.CheckConstraint('opens_minute >= 0 AND closes_minute <= 1440 AND opens_minute < closes_minute', name=op.f('ck_opening_hours_minutes_in_day')),
    sa.ForeignKeyConstraint(['center_id'], ['centers.id'], name=op.f('fk_opening_hours_center_id_centers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opening_hours')),
    sa.UniqueConstraint('center_id', name=op.f('uq_opening_hours_center_id')),
    sa.UniqueConstraint('province_code', name=op.f('uq_opening_hours_province_code'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_sort_key', sa.String(length=500), nullable=False, server_default=''))
        batch_op.create_index(batch_op.f('ix_users_name_sort_key'), ['name_sort_key'], unique=False)

    from portal.shared.text import vietnamese_sort_string

    conn = op.get_bind()
    users = sa.table('users', sa.column('id', sa.Integer), sa.column('full_name', sa.String),
                     sa.column('name_sort_key', sa.String))
    for user_id, full_name in conn.execute(sa.select(users.c.id, users.c.full_name)).all():
        conn.execute(users.update().where(users.c.id == user_id)
                     .values(name_sort_key=vietnamese_sort_string(full_name or '')))

    holidays = sa.table('public_holidays', sa.column('day', sa.Date), sa.column('name', sa.String),
                        sa.column('created_at', sa.DateTime))
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    op.bulk_insert(holidays, [
        {'day': day, 'name': name, 'created_at': now} for day, name in HOLIDAYS_2026
    ])


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_name_sort_key'))
        batch_op.drop_column('name_sort_key')

    op.drop_table('opening_hours')
    op.drop_table('settings')
    op.drop_table('public_holidays')
