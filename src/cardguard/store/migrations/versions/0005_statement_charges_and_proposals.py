"""statement charges and recurring-charge proposals

Revision ID: 0005
Revises: 0004
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'statement_charges',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('card_id', sa.Integer(), nullable=False),
        sa.Column('charged_on', sa.Date(), nullable=False),
        sa.Column('merchant_key', sa.String(length=300), nullable=False),
        sa.Column('merchant', sa.String(length=300), nullable=False),
        sa.Column('amount_text', sa.String(length=64), nullable=False),
        sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('foreign_text', sa.String(length=64), nullable=True),
        sa.Column('file_digest', sa.String(length=64), nullable=False),
        sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['card_id'], ['cards.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('statement_charges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_statement_charges_card_id'), ['card_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_statement_charges_merchant_key'), ['merchant_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_statement_charges_file_digest'), ['file_digest'], unique=False)
    op.create_table(
        'statement_proposals',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('card_id', sa.Integer(), nullable=False),
        sa.Column('merchant_key', sa.String(length=300), nullable=False),
        sa.Column('merchant', sa.String(length=300), nullable=False),
        sa.Column('cycle', sa.String(length=16), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('service_id', sa.Integer(), nullable=True),
        sa.Column('evidence', sa.Text(), nullable=False),
        sa.Column('found_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['card_id'], ['cards.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['service_id'], ['services.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('card_id', 'merchant_key', 'cycle', name='uq_statement_proposal'),
    )
    with op.batch_alter_table('statement_proposals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_statement_proposals_card_id'), ['card_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('statement_proposals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_statement_proposals_card_id'))
    op.drop_table('statement_proposals')
    with op.batch_alter_table('statement_charges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_statement_charges_file_digest'))
        batch_op.drop_index(batch_op.f('ix_statement_charges_merchant_key'))
        batch_op.drop_index(batch_op.f('ix_statement_charges_card_id'))
    op.drop_table('statement_charges')
