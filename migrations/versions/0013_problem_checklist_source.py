"""A problem found by a checklist links to it: source_checklist_id / source_item on problem

Until now the link back was the text of external_ref ("checklist:<id>:<item>") and the checklist_finding row
(issue 13, item 11). The columns are filled for existing problems from checklist_finding, which names the same
checklist and item. problem keeps its row-level security; the new index starts with tenant_id like every index
of the table.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 12:00:00

"""

import sqlalchemy as sa
from alembic import op

from core.platform.db import BigId

# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


FK_NAME = "fk_problem_source_checklist_id_checklist"
INDEX_NAME = "ix_problem_tenant_id_source_checklist_id"


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds a column with its foreign key in place; batch mode would rebuild problem, and dropping the old
        # table under PRAGMA foreign_keys = ON fails once other tables reference its rows. An inline key is reflected
        # without its ON DELETE, so the key (here and in the model) keeps the default NO ACTION, which refuses the
        # delete of a referenced checklist just as RESTRICT does (checklists are never deleted anyway).
        op.execute(
            f"ALTER TABLE problem ADD COLUMN source_checklist_id INTEGER CONSTRAINT {FK_NAME} REFERENCES checklist (id)"
        )
        op.add_column("problem", sa.Column("source_item", sa.String(length=40), nullable=True))
    else:
        op.add_column("problem", sa.Column("source_checklist_id", BigId, nullable=True))
        op.add_column("problem", sa.Column("source_item", sa.String(length=40), nullable=True))
        op.create_foreign_key(FK_NAME, "problem", "checklist", ["source_checklist_id"], ["id"])
    op.create_index(INDEX_NAME, "problem", ["tenant_id", "source_checklist_id"], unique=False)
    # The finding of the same tenant names the checklist and the item the problem was recorded from.
    op.execute(
        """
        UPDATE problem SET
            source_checklist_id = (
                SELECT f.checklist_id FROM checklist_finding f
                WHERE f.problem_id = problem.id AND f.tenant_id = problem.tenant_id
            ),
            source_item = (
                SELECT f.item_code FROM checklist_finding f
                WHERE f.problem_id = problem.id AND f.tenant_id = problem.tenant_id
            )
        WHERE EXISTS (
            SELECT 1 FROM checklist_finding f WHERE f.problem_id = problem.id AND f.tenant_id = problem.tenant_id
        )
        """
    )


def downgrade():
    op.drop_index(INDEX_NAME, table_name="problem")
    if op.get_bind().dialect.name == "sqlite":
        # SQLite cannot drop a column its foreign key names without rebuilding the table.
        with op.batch_alter_table("problem", schema=None) as batch_op:
            batch_op.drop_column("source_item")
            batch_op.drop_column("source_checklist_id")
        return
    op.drop_constraint(FK_NAME, "problem", type_="foreignkey")
    op.drop_column("problem", "source_item")
    op.drop_column("problem", "source_checklist_id")
