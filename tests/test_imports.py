"""The house's floors (STYLE.md §8): imports point down, and no feature imports another's views.

Every module of the ``portal`` package is parsed with ``ast`` (nothing is imported).
"""

from __future__ import annotations

import ast
from pathlib import Path

PORTAL = Path(__file__).resolve().parent.parent / "portal"

#: Everything below ``rankings``: none of these may import it.
BELOW_RANKINGS = (
    "accounts",
    "centers",
    "audit",
    "standards",
    "assessments",
    "ratings",
    "complaints",
    "inspections",
    "scoring",
    "shared",
)

#: A feature's pages (the modules that define its blueprints) stand on top of the house,
#: beside ``api`` and ``admin``: they may read the figures of ``rankings``. Only the factory
#: and the feature's own ``__init__`` import them (checked below), so nothing below
#: ``rankings`` reaches it through them.
PAGES = ("__init__.py", "views.py", "public.py")


def _imports(path: Path) -> list[str]:
    """The absolute ``portal.…`` names a module imports (relative imports resolved)."""
    module = path.relative_to(PORTAL.parent).with_suffix("").parts
    package = module[:-1]  # for __init__.py too: ("portal", "x", "__init__") → portal.x
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                prefix = ".".join(base)
                target = f"{prefix}.{node.module}" if node.module else prefix
            else:
                target = node.module or ""
            names.append(target)
            names += [f"{target}.{a.name}" for a in node.names]
    return [n for n in names if n.startswith("portal")]


def _modules():
    for path in sorted(PORTAL.rglob("*.py")):
        parts = path.relative_to(PORTAL).parts
        yield path, (parts[0] if len(parts) > 1 else None)


def test_the_resolver_reads_relative_imports():
    names = _imports(PORTAL / "rankings" / "views.py")
    assert "portal.rankings.board" in names
    assert "portal.accounts.decorators.roles_required" in names
    assert "portal.scoring.rules" in names


def _imported(path: Path, *packages: str) -> list[str]:
    """What ``path`` imports of these ``portal`` packages (or modules)."""
    return [
        f"{path.relative_to(PORTAL.parent)} imports {name}"
        for name in _imports(path)
        if any(name == f"portal.{p}" or name.startswith(f"portal.{p}.") for p in packages)
    ]


def test_nothing_below_rankings_imports_it():
    offenders = [
        f"{path.relative_to(PORTAL.parent)} imports {name}"
        for path, feature in _modules()
        if feature in BELOW_RANKINGS and path.name not in PAGES
        for name in _imports(path)
        if name == "portal.rankings" or name.startswith("portal.rankings.")
    ]
    assert offenders == []


def test_no_feature_imports_another_features_views():
    offenders = []
    for path, feature in _modules():
        if feature is None:
            continue  # the factory registers every blueprint
        for name in _imports(path):
            parts = name.split(".")
            pages = len(parts) >= 3 and f"{parts[2]}.py" in PAGES[1:]
            if pages and (parts[1] != feature or path.name not in PAGES):
                offenders.append(f"{path.relative_to(PORTAL.parent)} imports {name}")
    assert offenders == []


def test_complaints_do_not_import_ratings():
    """Ratings open cases (through ``complaints.services``); alerts, which read the
    rating figures, are in ``rankings``."""
    offenders = [
        o
        for path, feature in _modules()
        if feature == "complaints"
        for o in _imported(path, "ratings")
    ]
    assert offenders == []


def test_ratings_reach_complaints_only_through_their_services():
    """A rating opens a case and the thanks and tracking pages show it, all through
    ``complaints.services``: ratings never read the complaints' models or pages."""
    offenders = [
        o
        for path, feature in _modules()
        if feature == "ratings"
        for o in _imported(path, "complaints")
        if not (o.endswith("portal.complaints.services") or ".complaints.services." in o)
        and not o.endswith("imports portal.complaints")
    ]
    assert offenders == []


def test_centers_stand_below_accounts():
    """Users belong to centers (``accounts`` reads ``centers``); the centers' services check
    their actor with ``centers.permissions``, never with accounts. Only the centers' pages,
    like every page, use the accounts' decorators."""
    offenders = [
        o
        for path, feature in _modules()
        if feature == "centers" and path.name not in PAGES
        for o in _imported(path, "accounts")
    ]
    assert offenders == []


def test_audit_imports_no_feature():
    """Every feature writes through the audit log; its browsing page is in ``admin``."""
    features = sorted(
        p.name
        for p in PORTAL.iterdir()
        if (p / "__init__.py").exists() and p.name not in ("audit", "shared")
    )
    offenders = [o for path, f in _modules() if f == "audit" for o in _imported(path, *features)]
    assert offenders == []


def test_the_statistics_data_layer_sits_below_rankings():
    """``assessments.sources`` reads imported dossier figures, so only the statistics pages
    (views) may read the rankings floor; its data modules stand beside ``ratings``."""
    above = ("portal.rankings", "portal.assessments", "portal.inspections", "portal.complaints")
    offenders = [
        f"{path.relative_to(PORTAL.parent)} imports {name}"
        for path, feature in _modules()
        if feature == "statistics" and path.name not in ("views.py", "__init__.py")
        for name in _imports(path)
        if name.startswith(above)
    ]
    assert offenders == []
