"""The README's pre-commit and GitHub Actions examples, run as written (issue 12).

The pre-commit example runs under the real ``pre-commit`` tool in a repository fixture that
holds JSON which is not STIX (``package.json``, ``.vscode/settings.json``, a keyring), bundles
in nested folders and a baseline named by the repository's settings file. Its ``repo:`` is the
one thing changed: a local git clone of this tree, tagged with the example's ``rev:`` (releases
are tagged ``v`` + the package version, which a test here keeps true). pre-commit builds the
hook's environment as it would for a user (``pip install .`` of the clone); the environment
sees the already-installed dependencies (``VIRTUALENV_SYSTEM_SITE_PACKAGES``), so only the
build backend may come from the package index, and ``PRE_COMMIT_HOME`` keeps its cache in
``tmp_path``.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from stix_mtac import __version__
from stix_mtac.validate.catalogue import REPOSITORY_URL, rules

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")
CORPUS = Path(__file__).parent / "corpus"
DEFECTS = CORPUS / "defects"
SARIF_SCHEMA = json.loads((CORPUS / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
# the first run builds the hook's virtualenv and installs stix-mtac into it (a wheel build whose
# backend may be fetched from the package index): minutes on a loaded machine, so wide headroom
INSTALL_TIMEOUT = 1200
RUN_TIMEOUT = 300


def example(name: str) -> str:
    match = re.search(rf"<!-- example:{name} -->\n```yaml\n(.*?)```", README, re.DOTALL)
    assert match, f"README has no {name} example"
    return match.group(1)


def pre_commit_example() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(example("pre-commit"))
    return document


def workflow_steps() -> list[dict[str, Any]]:
    workflow = yaml.safe_load(example("github-actions"))
    (job,) = workflow["jobs"].values()
    steps: list[dict[str, Any]] = job["steps"]
    return steps


def test_the_examples_name_the_project_repository_and_this_release_tag() -> None:
    repository = PYPROJECT["project"]["urls"]["Repository"]
    assert repository == REPOSITORY_URL
    (entry,) = pre_commit_example()["repos"]
    assert entry["repo"] == repository
    assert entry["rev"] == "v" + __version__ == "v" + PYPROJECT["project"]["version"]
    assert entry["hooks"] == [{"id": "stix-mtac-validate"}]
    (install,) = [s["run"] for s in workflow_steps() if "pip install" in s.get("run", "")]
    assert shlex.split(install)[-1] == f"stix-mtac @ git+{repository}@v{__version__}"
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [hook["id"] for hook in hooks] == ["stix-mtac-validate"]


def test_every_rule_links_to_its_row_of_the_readme_at_the_release_tag() -> None:
    prefix = f"{REPOSITORY_URL}/blob/v{__version__}/README.md#"
    for rule in rules().values():
        assert rule.help_uri.startswith(prefix), rule.help_uri
        anchor = rule.help_uri.removeprefix(prefix)
        assert f'<a id="{anchor}"></a>`{rule.code}`' in README, rule.code
    schema = json.loads(
        (REPO / "stix_mtac" / "data" / "validate" / "output.schema.json").read_text("utf-8")
    )
    assert schema["$id"].startswith(REPOSITORY_URL + "/"), schema["$id"]
    assert "example.org/your-mirror" not in README


def _git(cwd: Path, *args: str, env: dict[str, str]) -> None:
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, timeout=120)


def _git_env(tmp_path: Path) -> dict[str, str]:
    gitconfig = tmp_path / "gitconfig"
    gitconfig.write_text("[init]\n\tdefaultBranch = main\n", encoding="utf-8")
    env = {
        **os.environ,
        "GIT_CONFIG_GLOBAL": str(gitconfig),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "ci",
        "GIT_AUTHOR_EMAIL": "ci@localhost",
        "GIT_COMMITTER_NAME": "ci",
        "GIT_COMMITTER_EMAIL": "ci@localhost",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "STIX_MTAC_SIGNING_KEY"):
        env.pop(name, None)
    return env


def clone_of_this_tree(tmp_path: Path, tag: str, env: dict[str, str]) -> Path:
    """A git repository with this tree's files (committed or not, minus ignored ones) and
    the release tag: what a user's mirror of the tagged release holds."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        check=True,
        capture_output=True,
        timeout=120,
    ).stdout.decode("utf-8")
    clone = tmp_path / "stix-mtac"
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file() and not source.is_symlink():
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, clone / name)
    _git(clone, "init", "-q", env=env)
    _git(clone, "add", "-A", env=env)
    _git(clone, "commit", "-q", "-m", f"release {tag}", env=env)
    _git(clone, "tag", tag, env=env)
    return clone


def repository_fixture(tmp_path: Path, env: dict[str, str]) -> Path:
    """A user's repository: non-STIX JSON, bundles in nested folders, a baselined defect."""
    project = tmp_path / "project"
    (project / ".vscode").mkdir(parents=True)
    (project / "package.json").write_text('{"name": "intel-site", "version": "1.0.0"}\n')
    (project / ".vscode" / "settings.json").write_text('{"editor.tabSize": 2}\n')
    (project / "bundles" / "keys").mkdir(parents=True)
    shutil.copy(REPO / "bundles" / "keys" / "jwks.json", project / "bundles" / "keys")
    shutil.copy(REPO / "bundles" / "mtac-east-asia-2023-09-07.json", project / "bundles")
    accepted = project / "intel" / "2023" / "q3" / "accepted.json"
    accepted.parent.mkdir(parents=True)
    shutil.copy(DEFECTS / "ref-created-by-missing.json", accepted)  # SX201, an error
    (project / "pyproject.toml").write_text(
        '[project]\nname = "intel-site"\n\n'
        '[tool.stix-mtac.validate]\nbaseline = "stix-baseline.json"\n',
        encoding="utf-8",
    )
    _git(project, "init", "-q", env=env)
    # the baseline as a user makes it: written by the tool, then each reason filled in
    written = cli(project, env, "--no-config", "--write-baseline", "stix-baseline.json", "intel")
    assert written.returncode == 1, written.stderr
    baseline = json.loads((project / "stix-baseline.json").read_text(encoding="utf-8"))
    assert [(e["file"], e["code"]) for e in baseline["entries"]] == [
        ("intel/2023/q3/accepted.json", "SX201")
    ]
    for entry in baseline["entries"]:
        entry["reason"] = "the producer identity lives in our TIP"
    (project / "stix-baseline.json").write_text(json.dumps(baseline, indent=2) + "\n")
    return project


def cli(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stix_mtac", "validate", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
    )


def test_the_settings_file_gives_the_hook_the_same_result_as_its_flags(tmp_path: Path) -> None:
    env = _git_env(tmp_path)
    project = repository_fixture(tmp_path, env)
    staged = [
        "package.json",
        ".vscode/settings.json",
        "bundles/keys/jwks.json",
        "bundles/mtac-east-asia-2023-09-07.json",
        "intel/2023/q3/accepted.json",
    ]
    hook = shlex.split(yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())[0]["entry"])
    assert hook[:2] == ["stix-mtac", "validate"]
    from_file = cli(project, env, *hook[2:], "--format", "json", *staged)
    by_flags = cli(
        project,
        env,
        "--no-config",
        *hook[2:],
        "--baseline",
        "stix-baseline.json",
        "--format",
        "json",
        *staged,
    )
    without = cli(project, env, "--no-config", *hook[2:], "--format", "json", *staged)
    assert from_file.returncode == by_flags.returncode == 0, from_file.stderr
    assert without.returncode == 1  # the baseline is what lets the defect through
    files = [json.loads(run.stdout)["files"] for run in (from_file, by_flags)]
    assert files[0] == files[1]
    status = {f["source"]: f["status"] for f in files[0]}
    assert status == {
        "package.json": "skipped",
        ".vscode/settings.json": "skipped",
        "bundles/keys/jwks.json": "skipped",
        "bundles/mtac-east-asia-2023-09-07.json": "valid",
        "intel/2023/q3/accepted.json": "valid",
    }
    (finding,) = files[0][4]["findings"]
    assert finding["code"] == "SX201"
    assert finding["suppressed"] == "the producer identity lives in our TIP"


def _pre_commit(
    project: Path, env: dict[str, str], *args: str, timeout: int = RUN_TIMEOUT
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args, "--color", "never"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _commit(project: Path, env: dict[str, str], timeout: int) -> subprocess.CompletedProcess[str]:
    # a real commit: git runs the hook pre-commit installed
    return subprocess.run(
        ["git", "commit", "-m", "intel"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_the_readme_pre_commit_example_as_written(tmp_path: Path) -> None:
    env = _git_env(tmp_path)
    env |= {
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "VIRTUALENV_SYSTEM_SITE_PACKAGES": "1",
        "VIRTUALENV_OVERRIDE_APP_DATA": str(tmp_path / "virtualenv-data"),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    config = example("pre-commit")
    (entry,) = pre_commit_example()["repos"]
    clone = clone_of_this_tree(tmp_path, entry["rev"], env)
    project = repository_fixture(tmp_path, env)
    written = config.replace(f"repo: {entry['repo']}", f"repo: {clone.as_uri()}", 1)
    assert written != config and written.count("\n") == config.count("\n")
    (project / ".pre-commit-config.yaml").write_text(written, encoding="utf-8")
    installed = _pre_commit(project, env, "install")
    assert installed.returncode == 0, installed.stdout + installed.stderr

    _git(project, "add", "-A", env=env)
    first = _commit(project, env, INSTALL_TIMEOUT)
    output = first.stdout + first.stderr
    assert first.returncode == 0, output
    assert re.search(r"validate STIX 2\.1 bundles \(stix-mtac\)\.+Passed", output), output
    # the hook ran the stix-mtac pre-commit installed from the tagged clone, not this tree's
    (hook_python,) = Path(env["PRE_COMMIT_HOME"]).glob("repo*/py_env-*/bin/python")
    where = subprocess.run(
        [str(hook_python), "-c", "import stix_mtac; print(stix_mtac.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=True,
    ).stdout.strip()
    assert Path(where).is_relative_to(hook_python.parent.parent), where

    # a defect in a nested folder is found: files: does not skip subfolders
    broken = project / "feeds" / "partner" / "2024" / "broken.json"
    broken.parent.mkdir(parents=True)
    shutil.copy(DEFECTS / "confidence-over-100.json", broken)
    _git(project, "add", "-A", env=env)
    refused = _commit(project, env, RUN_TIMEOUT)
    output = refused.stdout + refused.stderr
    assert refused.returncode != 0, output
    assert re.search(r"validate STIX 2\.1 bundles \(stix-mtac\)\.+Failed", output), output
    assert "feeds/partner/2024/broken.json: invalid" in output and " SX603 " in output
    _git(project, "rm", "-q", "--cached", "feeds/partner/2024/broken.json", env=env)

    # a commit of only JSON that is not STIX passes (nothing to check is not a failure here)
    (project / "package.json").write_text('{"name": "intel-site", "version": "1.0.1"}\n')
    (project / ".vscode" / "settings.json").write_text('{"editor.tabSize": 4}\n')
    _git(project, "add", "package.json", ".vscode/settings.json", env=env)
    only_config = _commit(project, env, RUN_TIMEOUT)
    output = only_config.stdout + only_config.stderr
    assert only_config.returncode == 0, output
    assert re.search(r"validate STIX 2\.1 bundles \(stix-mtac\)\.+Passed", output), output

    # every file of the repository, as CI would run the hook
    everything = _pre_commit(project, env, "run", "--all-files")
    assert everything.returncode == 0, everything.stdout + everything.stderr


def _run_step(command: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # GitHub runs a `run:` step with bash -e {0} (and pipefail for `shell: bash`)
    return subprocess.run(
        ["bash", "-eo", "pipefail", "-c", command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
    )


def test_the_readme_github_actions_steps_as_written(tmp_path: Path) -> None:
    env = _git_env(tmp_path)
    steps = workflow_steps()
    commands = [step["run"] for step in steps if step.get("run", "").startswith("stix-mtac ")]
    (validate,) = commands
    written = re.fullmatch(r".* > (\S+)", validate)
    assert written, validate
    (upload,) = [s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload")]
    assert upload["with"]["sarif_file"] == written.group(1)
    assert upload["if"] == "always()"  # the SARIF of a failing gate is uploaded too
    assert steps.index(upload) > steps.index(next(s for s in steps if s.get("run") == validate))

    passing = tmp_path / "passing"
    shutil.copytree(REPO / "bundles", passing / "bundles")  # with keys/ and manifest.json
    done = _run_step(validate, passing, env)
    assert done.returncode == 0, done.stderr
    log = json.loads((passing / written.group(1)).read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)
    assert log["runs"][0]["tool"]["driver"]["informationUri"] == REPOSITORY_URL
    assert not [r for r in log["runs"][0]["results"] if r["level"] == "error"]

    failing = tmp_path / "failing"
    (failing / "bundles" / "nested").mkdir(parents=True)
    shutil.copy(DEFECTS / "ref-created-by-missing.json", failing / "bundles" / "nested")
    refused = _run_step(validate, failing, env)
    assert refused.returncode == 1, refused.stderr
    log = json.loads((failing / written.group(1)).read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)
    (result,) = [r for r in log["runs"][0]["results"] if r["level"] == "error"]
    location = result["locations"][0]["physicalLocation"]["artifactLocation"]
    assert result["ruleId"] == "SX201"
    assert location == {"uri": "bundles/nested/ref-created-by-missing.json", "uriBaseId": "SRCROOT"}


def _sh_example(name: str) -> str:
    match = re.search(rf"<!-- example:{name} -->\n```sh\n(.*?)```", README, re.DOTALL)
    assert match, f"README has no {name} example"
    return match.group(1)


def test_the_readme_validate_examples_as_written(tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    shutil.copytree(REPO / "bundles", clone / "bundles")
    shutil.copy(REPO / "bundles" / "doj-bot-farm-2024-07-09.json", clone / "bundle.json")
    script = _sh_example("validate")
    assert script.count("stix-mtac validate") == 4
    done = _run_step(script, clone, _git_env(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    summaries = [line for line in done.stderr.splitlines() if " objects: " in line]
    summaries += [line for line in done.stdout.splitlines() if " objects: " in line]
    assert len(summaries) == 4, summaries
    assert "0 errors, 0 warnings" in done.stdout  # --strict with 103 and 302 off: nothing left
    log = json.loads((clone / "stix.sarif").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)
    assert log["runs"][0]["results"] and {r["ruleId"] for r in log["runs"][0]["results"]} <= {
        "103",
        "302",
    }


def test_the_readme_settings_example_is_read_as_written(tmp_path: Path) -> None:
    match = re.search(r"<!-- example:validate-settings -->\n```toml\n(.*?)```", README, re.DOTALL)
    assert match
    env = _git_env(tmp_path)
    project = repository_fixture(tmp_path, env)  # its baseline is stix-baseline.json too
    (project / "pyproject.toml").write_text(match.group(1), encoding="utf-8")
    bundle = project / "intel" / "2023" / "q3" / "accepted.json"
    relationship = project / "relationship.json"
    shutil.copy(DEFECTS / "relationship-unsuggested.json", relationship)
    settled = cli(project, env, "--format", "json", "--strict", str(bundle), str(relationship))
    assert settled.returncode == 0, settled.stdout + settled.stderr
    files = json.loads(settled.stdout)["files"]
    assert [f["status"] for f in files] == ["valid", "valid"]
    # warning = ["SX301"] wins over --strict; the baseline accepts the SX201
    assert [f["severity"] for f in files[1]["findings"]] == ["warning"]
    assert files[0]["findings"][0]["suppressed"] == "the producer identity lives in our TIP"
    assert "103" not in {f["code"] for file in files for f in file["findings"]}
    unset = cli(project, env, "--no-config", "--strict", str(bundle), str(relationship))
    assert unset.returncode == 1
