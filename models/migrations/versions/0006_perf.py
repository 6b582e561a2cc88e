"""Issue 14 (performance): the directory's version stamp (services/directory.py) and the outbox's
`key_base`, the exact prefix a card's posts (and, apart, one card's edits) share, so refreshing
a card is an index seek instead of a `dedupe_key LIKE 'prefix%'` scan of the whole outbox.

Existing rows: group posts and edits get the key_base their dedupe key implies (everything up to
its last ':'), so a card posted before the upgrade is still found and edited after it.

Revision ID: 0006_perf
Revises: 0005_polls
Create Date: 2026-12-01 05:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006_perf'
down_revision = '0005_polls'
branch_labels = None
depends_on = None

BATCH = 500


def upgrade() -> None:
    op.create_table('directory_stamp',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('key_base', sa.String(length=200), nullable=True))
        batch_op.create_index('ix_outbox_key_base', ['key_base', 'status'], unique=False)
    _fill_key_base()


def _fill_key_base() -> None:
    """The key_base of rows written before this revision, from their dedupe keys."""
    bind = op.get_bind()
    outbox = sa.table('outbox', sa.column('id', sa.Integer), sa.column('dedupe_key', sa.String),
                      sa.column('key_base', sa.String), sa.column('kind', sa.String),
                      sa.column('chat_kind', sa.String))
    rows = bind.execute(sa.select(outbox.c.id, outbox.c.dedupe_key).where(
        sa.or_(outbox.c.kind == 'edit', outbox.c.chat_kind == 'group'))).all()
    values = [{"row_id": row_id, "base": key[:key.rindex(':') + 1]}
              for row_id, key in rows if ':' in key]
    stmt = (sa.update(outbox).where(outbox.c.id == sa.bindparam('row_id'))
            .values(key_base=sa.bindparam('base')))
    for start in range(0, len(values), BATCH):
        bind.execute(stmt, values[start:start + BATCH])


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_key_base')
        batch_op.drop_column('key_base')
    op.drop_table('directory_stamp')
