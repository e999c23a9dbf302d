"""The payload contract is owned by the assistant: generated files are current, no action
writes a payload by hand, and the payloads written in domain.yml are in the contract."""

import ast
from pathlib import Path

import pytest
import yaml

from massage_coach.domain import contract, payloads
from massage_coach.settings import PROJECT_DIR


def test_schema_and_docs_are_generated_from_the_models():
    assert contract.main(["--check"]) == 0, "run `make contract`"


def test_no_action_writes_a_payload_dict():
    for path in sorted((PROJECT_DIR / "actions").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Dict):
                keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
                assert "type" not in keys, f"{path.name}:{node.lineno} builds a payload by hand"
            if isinstance(node, ast.keyword) and node.arg == "json_message":
                assert not isinstance(node.value, ast.Dict), f"{path.name}:{node.lineno}"


def domain_payloads():
    responses = yaml.safe_load(Path(PROJECT_DIR / "domain.yml").read_text())["responses"]
    return [(name, variant["custom"]) for name, variants in responses.items()
            for variant in variants if "custom" in variant]


@pytest.mark.parametrize("name, custom", domain_payloads())
def test_payloads_written_in_the_domain_are_in_the_contract(name, custom):
    assert payloads.parse(custom).json_message() == custom


def test_an_unknown_payload_type_is_refused():
    with pytest.raises(ValueError):
        payloads.parse({"type": "banner"})
