"""`invoke FileProfile([IdColumn], [MaxFiles])`: advanced hunting's built-in file enrichment.

Adds to each row what is known about the file whose hash is in `IdColumn` (`SHA1` by default;
also `SHA256`, `InitiatingProcessSHA1`, `InitiatingProcessSHA256`): prevalence, first and
last sighting, signature and signer, threat name, publisher and product, from the tenant's
`FileProfile` data in the lake (see `xdrlab.lake.schema.FILE_PROFILE`). At most `MaxFiles`
distinct files are looked up (100 by default, 1 to 1,000, as in production); their rows get
`ProfileAvailability` "Available" or "Missing" (no profile), other rows and rows without a
hash get it empty, and their profile columns empty.

Profile columns the input already has (`DeviceProcessEvents` carries `SHA256`, `MD5`,
`FileSize`) are kept as they are rather than added twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp

from xdrlab.kql import diagnostics as diag
from xdrlab.kql.binder.types import INTEGER, STRINGLIKE, string
from xdrlab.kql.operators.join import nullable
from xdrlab.kql.operators.shared_input import SharedInput
from xdrlab.kql.relation import Aliased, Output, Relation, column_ref, over, select_columns
from xdrlab.kql.syntax import nodes as n
from xdrlab.lake.schema import FILE_PROFILE, Column, KustoType

if TYPE_CHECKING:
    from xdrlab.kql.compiler import Lowering

NAME = "FileProfile"
# The column a file ID can come from, and the profile's hash it is matched with.
ID_COLUMNS = {
    "SHA1": "SHA1",
    "InitiatingProcessSHA1": "SHA1",
    "SHA256": "SHA256",
    "InitiatingProcessSHA256": "SHA256",
}
DEFAULT_MAX_FILES = 100
MAX_FILES = 1_000


def lower(ctx: Lowering, rel: Relation, call: n.Call) -> Relation:
    if len(call.args) > 2:
        raise diag.argument_count("invoke", NAME, "0 to 2", call.pos)
    id_column = _id_column(call.args[0] if call.args else None, call)
    max_files = _max_files(ctx, rel, call.args[1] if len(call.args) > 1 else None)
    source = rel.output(id_column)
    if source is None:
        raise diag.unknown_column("invoke", id_column, call.args[0].pos if call.args else call.pos)
    if source.column.type not in STRINGLIKE:
        raise diag.type_mismatch(
            "invoke", f"'{NAME}': the file ID column '{id_column}' must be a string", call.pos
        )
    ctx.used.add(FILE_PROFILE.name)
    shared = SharedInput(rel, f"{ctx.hidden_name('__fp')}_rows")
    rows = shared.scan()
    ids = _chosen_ids(shared, id_column, max_files)
    profiles = _profiles(ID_COLUMNS[id_column])

    row_columns = rows.columns
    present = {c.name for c in row_columns}
    row, chosen, profile = (
        Aliased.of(rows, "_r"),
        Aliased.of(ids, "_c"),
        Aliased.of(profiles, "_f"),
    )
    columns: list[tuple[Column, exp.Expr]] = [(c, row.col(c.name)) for c in row_columns]
    for column in FILE_PROFILE.columns:
        if column.name not in present:
            columns.append((column, nullable(profile.col(column.name), column)))
    availability = exp.Case(
        ifs=[
            exp.If(this=exp.Is(this=chosen.col("__id"), expression=exp.Null()), true=string("")),
            exp.If(
                this=exp.Is(this=profile.col("__key"), expression=exp.Null()),
                true=string("Missing"),
            ),
        ],
        default=string("Available"),
    )
    if "ProfileAvailability" not in present:
        columns.append((Column("ProfileAvailability", KustoType.STRING), availability))

    select = select_columns(columns)
    select.set("from_", exp.From(this=row.source))
    row_id = exp.Lower(this=row.col(id_column))
    select.set(
        "joins",
        [
            exp.Join(
                this=chosen.source,
                side="LEFT",
                on=exp.EQ(this=row_id, expression=chosen.col("__id")),
            ),
            exp.Join(
                this=profile.source,
                side="LEFT",
                on=exp.EQ(this=chosen.col("__id"), expression=profile.col("__key")),
            ),
        ],
    )
    joined = over(select, [c for c, _ in columns], rel.depth + 2, "_fp")
    return shared.attach(joined, read_twice=True)


def _id_column(arg: n.Expr | None, call: n.Call) -> str:
    """The first argument: a column name, bare or quoted."""
    if arg is None:
        return "SHA1"
    if isinstance(arg, n.Name):
        name = arg.name
    elif isinstance(arg, n.Literal) and arg.type == "string" and isinstance(arg.value, str):
        name = arg.value
    else:
        raise diag.argument_type("invoke", NAME, 1, "column name", "expression", arg.pos)
    if name not in ID_COLUMNS:
        raise diag.type_mismatch(
            "invoke",
            f"'{NAME}': the file ID column must be one of {', '.join(ID_COLUMNS)}, not '{name}'",
            arg.pos,
        )
    return name


def _max_files(ctx: Lowering, rel: Relation, arg: n.Expr | None) -> int:
    if arg is None:
        return DEFAULT_MAX_FILES
    value = ctx.binder(rel, "invoke").bind(arg)
    if not value.is_constant or value.type not in INTEGER or not isinstance(value.value, int):
        raise diag.expected_constant("invoke", f"'{NAME}': the number of files", arg.pos)
    if not 1 <= value.value <= MAX_FILES:
        raise diag.type_mismatch(
            "invoke",
            f"'{NAME}': the number of files must be between 1 and {MAX_FILES:,}",
            arg.pos,
        )
    return value.value


def _chosen_ids(shared: SharedInput, id_column: str, max_files: int) -> Relation:
    """The first `max_files` distinct non-empty file IDs of the input, lower-cased."""
    ids = shared.scan([id_column])
    (output,) = ids.outputs
    ids.where.append(exp.NEQ(this=output.sql.copy(), expression=string("")))
    ids.outputs = [Output(Column("__id", KustoType.STRING), exp.Lower(this=output.sql.copy()))]
    ids.distinct = True
    ids.limit = max_files
    return ids


def _profiles(hash_column: str) -> Relation:
    """One profile per hash (the most recently seen, if the data holds several)."""
    profiles = Relation.scan(FILE_PROFILE.name, FILE_PROFILE.columns)
    key = exp.Lower(this=column_ref(hash_column))
    newest = exp.Window(
        this=exp.RowNumber(),
        partition_by=[key.copy()],
        order=exp.Order(
            expressions=[
                exp.Ordered(this=column_ref("GlobalLastSeen"), desc=True, nulls_first=False)
            ]
        ),
    )
    profiles.where.append(exp.NEQ(this=column_ref(hash_column), expression=string("")))
    profiles.outputs.append(Output(Column("__key", KustoType.STRING), key))
    return profiles.keep_ranked(newest, 1)
