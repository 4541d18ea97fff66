"""mail accounts and checked mail

Revision ID: 0003
Revises: 0002
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('mail_accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('preset', sa.String(length=16), nullable=False),
    sa.Column('host', sa.String(length=253), nullable=False),
    sa.Column('port', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=320), nullable=False),
    sa.Column('ca_file', sa.Text(), nullable=True),
    sa.Column('authserv_id', sa.String(length=253), nullable=True),
    sa.Column('has_ntfy', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('mail_checked',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account', sa.String(length=64), nullable=False),
    sa.Column('folder', sa.String(length=500), nullable=False),
    sa.Column('uidvalidity', sa.BigInteger(), nullable=False),
    sa.Column('uid', sa.BigInteger(), nullable=False),
    sa.Column('claims_issuer', sa.Boolean(), nullable=False),
    sa.Column('sender', sa.String(length=500), nullable=True),
    sa.Column('subject', sa.Text(), nullable=True),
    sa.Column('mail_date', sa.DateTime(timezone=True), nullable=True),
    sa.Column('verdict', sa.String(length=16), nullable=True),
    sa.Column('issuer', sa.String(length=64), nullable=True),
    sa.Column('findings', sa.Text(), nullable=True),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('account', 'folder', 'uidvalidity', 'uid', name='uq_mail_checked_message')
    )


def downgrade() -> None:
    op.drop_table('mail_checked')
    op.drop_table('mail_accounts')
