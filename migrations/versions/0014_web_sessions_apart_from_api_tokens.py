"""Web sessions apart from API tokens: kind on api_token ("api" or "web")

The session cookie used to carry a bearer token, readable in the signed (not encrypted) cookie and usable on the
API (issue 14, item 6). It now carries a random session id whose SHA-256 is stored here with kind "web"; the API
takes only kind "api", so nothing in a cookie works as a bearer token. Existing rows were issued as bearer tokens
and stay "api"; cookies of the old form are no longer read, so their holders log in again. api_token is a platform
table (no tenant_id, no row-level security, hidden from the reader role): only the column is added.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 10:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=8), server_default="api", nullable=False))


def downgrade():
    # A web session must not become a bearer token when the column that told them apart goes.
    op.execute("DELETE FROM api_token WHERE kind = 'web'")
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_column("kind")
