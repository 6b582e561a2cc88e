"""Issues 11, 13 and 16: the roster kept from the chat (removed students and guardians, approval,
hand-over, corrections and withdrawals, the audit log), the class record (contact log, must-visit
tags, grade batches, files in the outbox), process leases and uncertain sends, held private
messages. Existing rows: memberships are not pending, notices are revision 0, no send is
uncertain.

Revision ID: 0003_records_leases
Revises: 0002_mailbox_meetings
Create Date: 2026-12-01 04:35:16.547987
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.base

revision = '0003_records_leases'
down_revision = '0002_mailbox_meetings'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('process_leases',
    sa.Column('worker', sa.String(length=64), nullable=False),
    sa.Column('channels', sa.String(length=200), nullable=False),
    sa.Column('started_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('worker')
    )
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('by', sa.String(length=20), nullable=False),
    sa.Column('class_id', sa.Integer(), nullable=True),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['class_id'], ['classes.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('grade_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('class_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=60), nullable=False),
    sa.Column('subjects', sa.JSON(), nullable=False),
    sa.Column('rows', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['people.id'], ),
    sa.ForeignKeyConstraint(['class_id'], ['classes.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('grade_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grade_batches_class_id'), ['class_id'], unique=False)

    op.create_table('held_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dedupe_key', sa.String(length=200), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('class_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('buttons', sa.JSON(), nullable=False),
    sa.Column('ref_kind', sa.String(length=20), nullable=True),
    sa.Column('ref_id', sa.Integer(), nullable=True),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('released_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['class_id'], ['classes.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('dedupe_key')
    )
    with op.batch_alter_table('held_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_held_messages_person_id'), ['person_id'], unique=False)

    op.create_table('contact_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('class_id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('process', sa.Text(), nullable=False),
    sa.Column('family', sa.Text(), nullable=False),
    sa.Column('next_steps', sa.Text(), nullable=False),
    sa.Column('parent_opinion', sa.Text(), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['people.id'], ),
    sa.ForeignKeyConstraint(['class_id'], ['classes.id'], ),
    sa.ForeignKeyConstraint(['student_id'], ['students.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('contact_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_log_class_id'), ['class_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_log_student_id'), ['student_id'], unique=False)

    op.create_table('must_visit_tags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('class_id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=10), nullable=False),
    sa.Column('tagged_by', sa.Integer(), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['class_id'], ['classes.id'], ),
    sa.ForeignKeyConstraint(['student_id'], ['students.id'], ),
    sa.ForeignKeyConstraint(['tagged_by'], ['people.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('student_id', 'category')
    )
    with op.batch_alter_table('must_visit_tags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_must_visit_tags_class_id'), ['class_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_must_visit_tags_student_id'), ['student_id'], unique=False)

    if op.get_bind().dialect.name == "sqlite":
        # A batch (copy-and-move) of `classes` would drop a table other tables point at; SQLite
        # adds a nullable column with its reference in place.
        op.execute("ALTER TABLE classes ADD COLUMN handover_to_id INTEGER REFERENCES people (id)")
    else:
        op.add_column('classes', sa.Column('handover_to_id', sa.Integer(), nullable=True))
        op.create_foreign_key('fk_classes_handover_to_id_people', 'classes', 'people',
                              ['handover_to_id'], ['id'])

    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pending', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('removed_at', models.base.UTCDateTime(timezone=True), nullable=True))

    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('withdrawn_at', models.base.UTCDateTime(timezone=True), nullable=True))

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('file_path', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('uncertain', sa.Integer(), nullable=False, server_default='0'))

    with op.batch_alter_table('students', schema=None) as batch_op:
        batch_op.add_column(sa.Column('max_guardians', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('removed_at', models.base.UTCDateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('students', schema=None) as batch_op:
        batch_op.drop_column('removed_at')
        batch_op.drop_column('max_guardians')

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('uncertain')
        batch_op.drop_column('claimed_by')
        batch_op.drop_column('file_path')

    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_column('withdrawn_at')
        batch_op.drop_column('revision')

    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_column('removed_at')
        batch_op.drop_column('pending')

    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE classes DROP COLUMN handover_to_id")
    else:
        op.drop_constraint('fk_classes_handover_to_id_people', 'classes', type_='foreignkey')
        op.drop_column('classes', 'handover_to_id')

    with op.batch_alter_table('must_visit_tags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_must_visit_tags_student_id'))
        batch_op.drop_index(batch_op.f('ix_must_visit_tags_class_id'))

    op.drop_table('must_visit_tags')
    with op.batch_alter_table('contact_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_log_student_id'))
        batch_op.drop_index(batch_op.f('ix_contact_log_class_id'))

    op.drop_table('contact_log')
    with op.batch_alter_table('held_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_held_messages_person_id'))

    op.drop_table('held_messages')
    with op.batch_alter_table('grade_batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grade_batches_class_id'))

    op.drop_table('grade_batches')
    op.drop_table('audit_log')
    op.drop_table('process_leases')
