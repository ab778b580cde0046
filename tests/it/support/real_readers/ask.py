# What Python's netrc module hands out for each host of each file: `python3 -I ask.py DIR COUNT`.
# The protocol is in answer_lines.rs. Each file is read by its path, as pip and httpx name it,
# so the owner and mode check of the implicit ~/.netrc does not apply.
import netrc
import os
import sys

folder = sys.argv[1]
count = int(sys.argv[2])
with open(os.path.join(folder, "hosts"), encoding="ascii") as f:
    hosts = [bytes.fromhex(line).decode("utf-8") for line in f.read().splitlines()]


def show(value):
    return "x" + value.encode("utf-8").hex()


lines = []
for i in range(count):
    try:
        rc = netrc.netrc(os.path.join(folder, f"{i}.netrc"))
    except (netrc.NetrcParseError, UnicodeDecodeError):
        # A syntax error, or text that is not UTF-8 (nor the locale's encoding, UTF-8 too).
        lines.append("rejected")
        continue
    answers = []
    for host in hosts:
        found = rc.authenticators(host)
        if found is None:
            answers.append("-")
        else:
            login, account, password = found
            answers.append(f"{show(login)},{show(password)},{show(account)}")
    lines.append(" ".join(answers))
sys.stdout.write("".join(line + "\n" for line in lines))
