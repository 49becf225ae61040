"""The action server refuses to start on an invalid knowledge file, and says why."""
import subprocess

import yaml

from bot.knowledge import DEFAULT_PATH
from tests.servers import BIN, ROOT, environment, free_port


def test_invalid_knowledge_file_stops_the_action_server(tmp_path):
    data = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    del data["roles"][2]["work"]
    broken = tmp_path / "knowledge.yml"
    broken.write_text(yaml.safe_dump(data), encoding="utf-8")
    result = subprocess.run(
        [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(free_port())],
        cwd=ROOT, env=environment(BPO_KNOWLEDGE_FILE=str(broken)), capture_output=True, text=True, timeout=120,
    )
    assert result.returncode != 0
    assert f"{broken}: roles[2] (id 'data_entry_operator'): field 'work': missing" in result.stderr
