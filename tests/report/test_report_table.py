"""Table report: whole output for hand-built reports."""

from __future__ import annotations

from policylint.report import table
from policylint.source.positions import Position, Range


def test_whole_output(findings, report_of):
    duplicate = findings["duplicate"]
    again = duplicate.model_copy(
        update={
            "pointer": "/Statement/2/Sid",
            "range": Range(start=Position(line=4, column=5, offset=60), end=Position(line=4, column=8, offset=63)),
        }
    )
    # The second finding of keys/app.json comes after other files' findings: it is still
    # listed under its file, which keeps the place of its first finding.
    report = report_of(duplicate, findings["unreadable"], findings["in_template"], again)
    assert table.render(report) == (
        "keys/app.json\n"
        "\n"
        "line:col    severity    code    name           message\n"
        "----------  ----------  ------  -------------  --------------------------------------\n"
        "3:5         warning     PL005   duplicate-sid  Sid `A` is already used by statement 0\n"
        "4:5         warning     PL005   duplicate-sid  Sid `A` is already used by statement 0\n"
        "\n"
        "keys/locked.json\n"
        "\n"
        "line:col    severity    code    name    message\n"
        "----------  ----------  ------  ------  ---------------------------------------\n"
        "-           error       PL001   pl001   cannot read the file: permission denied\n"
        "\n"
        "stacks/key.yaml\n"
        "\n"
        "line:col    severity    code    name          message\n"
        "----------  ----------  ------  ------------  --------------------------------\n"
        "12:9        info        PL990   example-rule  statement `Admin` allows `kms:*`\n"
        "\n"
        "findings per rule\n"
        "\n"
        "code    name           severity      count\n"
        "------  -------------  ----------  -------\n"
        "PL001   pl001          error             1\n"
        "PL005   duplicate-sid  warning           2\n"
        "PL990   example-rule   info              1\n"
        "\n"
        "checked 3 files (3 documents): 1 error, 2 warnings, 1 info\n"
    )


def test_no_findings_is_the_summary_line(empty_report):
    assert table.render(empty_report) == "checked 1 file (1 document): 0 errors, 0 warnings, 0 info\n"


def test_numbers_in_messages_are_left_as_written(findings, report_of):
    finding = findings["unreadable"].model_copy(update={"message": "1e3"})
    assert table.file_table([finding]) == (
        "line:col    severity    code    name    message\n"
        "----------  ----------  ------  ------  ---------\n"
        "-           error       PL001   pl001   1e3"
    )
