"""assign complaints and add internal notes

A case gets an assignee (a manager of its center or an inspector in scope; SET NULL when
the account is deleted) and the time it was assigned. ``case_notes`` holds the staff's
append-only internal notes, deleted with their case. SQLite: batch mode rebuilds
``cases`` to add the foreign key; its named CHECK constraints and indexes are reflected
and carried over (checked against ``sqlite_master`` after upgrade and downgrade).

Revision ID: 70849fa10758
Revises: f7bff086b9ba
Create Date: 2026-12-07 20:31:52.716330

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '70849fa10758'
down_revision = 'f7bff086b9ba'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assignee_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('assigned_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_cases_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_cases_assignee_id_users'),
            'users',
            ['assignee_id'],
            ['id'],
            ondelete='SET NULL',
        )

    op.create_table(
        'case_notes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['author_id'], ['users.id'],
            name=op.f('fk_case_notes_author_id_users'), ondelete='SET NULL',
        ),
        sa.ForeignKeyConstraint(
            ['case_id'], ['cases.id'],
            name=op.f('fk_case_notes_case_id_cases'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_case_notes')),
    )
    with op.batch_alter_table('case_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_notes_case_id'), ['case_id'], unique=False)


def downgrade():
    with op.batch_alter_table('case_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_notes_case_id'))
    op.drop_table('case_notes')

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_cases_assignee_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_cases_assignee_id'))
        batch_op.drop_column('assigned_at')
        batch_op.drop_column('assignee_id')
