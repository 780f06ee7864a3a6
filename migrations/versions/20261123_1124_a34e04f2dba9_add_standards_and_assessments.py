"""add standards and assessments

Revision ID: a34e04f2dba9
Revises: 57cac42d217a
Create Date: 2026-11-23 11:24:54.771540

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a34e04f2dba9'
down_revision = '57cac42d217a'
branch_labels = None
depends_on = None


def upgrade():
    # Reviewed: tables of the standards and assessments features; named constraints.
    op.create_table('standards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_standards')),
    sa.UniqueConstraint('code', name=op.f('uq_standards_code'))
    )
    op.create_table('standard_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('standard_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.String(length=30), nullable=False),
    sa.Column('name_vi', sa.String(length=300), nullable=False),
    sa.Column('name_en', sa.String(length=300), nullable=False),
    sa.Column('description_vi', sa.Text(), nullable=False),
    sa.Column('description_en', sa.Text(), nullable=False),
    sa.Column('checksum', sa.String(length=64), nullable=False),
    sa.Column('source_file', sa.String(length=300), nullable=False),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['standard_id'], ['standards.id'], name=op.f('fk_standard_versions_standard_id_standards'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_standard_versions')),
    sa.UniqueConstraint('standard_id', 'version', name=op.f('uq_standard_versions_standard_id_version'))
    )
    op.create_table('assessment_periods',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('opens_on', sa.Date(), nullable=False),
    sa.Column('closes_on', sa.Date(), nullable=False),
    sa.Column('standard_version_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('quarter', 'year')", name=op.f('ck_assessment_periods_kind')),
    sa.CheckConstraint('closes_on >= opens_on', name=op.f('ck_assessment_periods_dates_ordered')),
    sa.ForeignKeyConstraint(['standard_version_id'], ['standard_versions.id'], name=op.f('fk_assessment_periods_standard_version_id_standard_versions'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_periods')),
    sa.UniqueConstraint('code', name=op.f('uq_assessment_periods_code'))
    )
    with op.batch_alter_table('assessment_periods', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_periods_standard_version_id'), ['standard_version_id'], unique=False)

    op.create_table('standard_areas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name_vi', sa.String(length=120), nullable=False),
    sa.Column('name_en', sa.String(length=120), nullable=False),
    sa.Column('weight', sa.Double(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint('weight >= 0', name=op.f('ck_standard_areas_weight_not_negative')),
    sa.ForeignKeyConstraint(['version_id'], ['standard_versions.id'], name=op.f('fk_standard_areas_version_id_standard_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_standard_areas')),
    sa.UniqueConstraint('version_id', 'code', name=op.f('uq_standard_areas_version_id_code'))
    )
    op.create_table('assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('center_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('self_score', sa.Double(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('draft', 'submitted')", name=op.f('ck_assessments_status')),
    sa.ForeignKeyConstraint(['center_id'], ['centers.id'], name=op.f('fk_assessments_center_id_centers'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['period_id'], ['assessment_periods.id'], name=op.f('fk_assessments_period_id_assessment_periods'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_assessments_submitted_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessments')),
    sa.UniqueConstraint('period_id', 'center_id', name=op.f('uq_assessments_period_id_center_id'))
    )
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessments_center_id'), ['center_id'], unique=False)

    op.create_table('criteria',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text_vi', sa.Text(), nullable=False),
    sa.Column('text_en', sa.Text(), nullable=False),
    sa.Column('legal_basis', sa.String(length=500), nullable=False),
    sa.Column('confidence', sa.String(length=20), nullable=False),
    sa.Column('answer_type', sa.String(length=10), nullable=False),
    sa.Column('target', sa.Double(), nullable=True),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('points', sa.Double(), nullable=False),
    sa.Column('na_allowed', sa.Boolean(), nullable=False),
    sa.Column('mandatory', sa.Boolean(), nullable=False),
    sa.Column('digital', sa.Boolean(), nullable=False),
    sa.Column('evidence', sa.String(length=100), nullable=False),
    sa.Column('auto_source', sa.String(length=40), nullable=True),
    sa.CheckConstraint("answer_type <> 'number' OR (target IS NOT NULL AND target > 0)", name=op.f('ck_criteria_number_has_target')),
    sa.CheckConstraint("answer_type IN ('level', 'number', 'yes_no')", name=op.f('ck_criteria_answer_type')),
    sa.CheckConstraint("confidence IN ('verified', 'secondary', 'province_practice')", name=op.f('ck_criteria_confidence')),
    sa.CheckConstraint('points >= 0', name=op.f('ck_criteria_points_not_negative')),
    sa.ForeignKeyConstraint(['area_id'], ['standard_areas.id'], name=op.f('fk_criteria_area_id_standard_areas'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['standard_versions.id'], name=op.f('fk_criteria_version_id_standard_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_criteria')),
    sa.UniqueConstraint('version_id', 'code', name=op.f('uq_criteria_version_id_code'))
    )
    with op.batch_alter_table('criteria', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_criteria_area_id'), ['area_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_criteria_version_id'), ['version_id'], unique=False)

    op.create_table('assessment_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('choice', sa.String(length=10), nullable=True),
    sa.Column('number', sa.Double(), nullable=True),
    sa.Column('not_applicable', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("choice IS NULL OR choice IN ('met', 'partial', 'not_met', 'yes', 'no')", name=op.f('ck_assessment_answers_choice')),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_assessment_answers_assessment_id_assessments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['criterion_id'], ['criteria.id'], name=op.f('fk_assessment_answers_criterion_id_criteria'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_answers')),
    sa.UniqueConstraint('assessment_id', 'criterion_id', name=op.f('uq_assessment_answers_assessment_id_criterion_id'))
    )
    with op.batch_alter_table('assessment_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_answers_criterion_id'), ['criterion_id'], unique=False)

    op.create_table('assessment_evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('center_id', sa.Integer(), nullable=False),
    sa.Column('storage_name', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=True),
    sa.Column('height', sa.Integer(), nullable=True),
    sa.Column('phash', sa.String(length=16), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('original_name', sa.String(length=120), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('photo', 'pdf')", name=op.f('ck_assessment_evidence_kind')),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_assessment_evidence_assessment_id_assessments'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['center_id'], ['centers.id'], name=op.f('fk_assessment_evidence_center_id_centers'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['criterion_id'], ['criteria.id'], name=op.f('fk_assessment_evidence_criterion_id_criteria'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_assessment_evidence_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_evidence')),
    sa.UniqueConstraint('storage_name', name=op.f('uq_assessment_evidence_storage_name'))
    )
    with op.batch_alter_table('assessment_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_evidence_assessment_id'), ['assessment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessment_evidence_center_id'), ['center_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessment_evidence_phash'), ['phash'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessment_evidence_sha256'), ['sha256'], unique=False)



def downgrade():
    # Reviewed: tables of the standards and assessments features; named constraints.
    with op.batch_alter_table('assessment_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessment_evidence_sha256'))
        batch_op.drop_index(batch_op.f('ix_assessment_evidence_phash'))
        batch_op.drop_index(batch_op.f('ix_assessment_evidence_center_id'))
        batch_op.drop_index(batch_op.f('ix_assessment_evidence_assessment_id'))

    op.drop_table('assessment_evidence')
    with op.batch_alter_table('assessment_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessment_answers_criterion_id'))

    op.drop_table('assessment_answers')
    with op.batch_alter_table('criteria', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_criteria_version_id'))
        batch_op.drop_index(batch_op.f('ix_criteria_area_id'))

    op.drop_table('criteria')
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessments_center_id'))

    op.drop_table('assessments')
    op.drop_table('standard_areas')
    with op.batch_alter_table('assessment_periods', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessment_periods_standard_version_id'))

    op.drop_table('assessment_periods')
    op.drop_table('standard_versions')
    op.drop_table('standards')
