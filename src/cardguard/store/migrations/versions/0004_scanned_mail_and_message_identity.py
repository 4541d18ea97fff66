"""scanned mail and message identity

Revision ID: 0004
Revises: 0003
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A scanned export's message has a file and a key, not an account and a UID.
    with op.batch_alter_table('mail_checked', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_file', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('source_key', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('identity', sa.String(length=80), nullable=True))
        batch_op.alter_column('account', existing_type=sa.String(length=64), nullable=True)
        batch_op.alter_column('folder', existing_type=sa.String(length=500), nullable=True)
        batch_op.alter_column('uidvalidity', existing_type=sa.BigInteger(), nullable=True)
        batch_op.alter_column('uid', existing_type=sa.BigInteger(), nullable=True)
        batch_op.create_index(batch_op.f('ix_mail_checked_identity'), ['identity'], unique=False)


def downgrade() -> None:
    op.execute("DELETE FROM mail_checked WHERE account IS NULL")
    with op.batch_alter_table('mail_checked', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mail_checked_identity'))
        batch_op.alter_column('uid', existing_type=sa.BigInteger(), nullable=False)
        batch_op.alter_column('uidvalidity', existing_type=sa.BigInteger(), nullable=False)
        batch_op.alter_column('folder', existing_type=sa.String(length=500), nullable=False)
        batch_op.alter_column('account', existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_column('identity')
        batch_op.drop_column('source_key')
        batch_op.drop_column('source_file')
