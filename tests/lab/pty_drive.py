#!/usr/bin/env python3
"""A small expect: runs a command on a pseudo-terminal and plays steps from
stdin, one per line, writing everything the terminal showed to OUT.

  send TEXT     type TEXT (Python escapes: \\t Tab, \\x03 Ctrl-C, \\n Enter)
  expect REGEX  wait (up to 120 s) until REGEX appears in what the terminal
                showed since the last expect; exit 1 if it never does
  sleep SECS
  mark LABEL    print "LABEL SECONDS" on stderr: the time since the last
                mark (bench/prompt.sh times a Tab with it)

usage: pty_drive.py [--rows N] OUT -- COMMAND [ARG...]
"""
import os, pty, re, select, struct, sys, time, fcntl, termios

def main():
    args = sys.argv[1:]
    rows = 24
    if args[0] == "--rows":
        rows = int(args[1]); args = args[2:]
    out_path, sep, cmd = args[0], args[1], args[2:]
    assert sep == "--"
    steps = sys.stdin.read().splitlines()
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "xterm"
        os.execvp(cmd[0], cmd)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, 80, 0, 0))
    seen = b""
    out = open(out_path, "wb")
    mark = 0
    clock = time.time()
    rc = 0

    def pump(timeout):
        nonlocal seen
        r, _, _ = select.select([fd], [], [], timeout)
        if not r:
            return True
        try:
            data = os.read(fd, 65536)
        except OSError:
            return False
        if not data:
            return False
        seen += data
        out.write(data.replace(b"\r", b""))  # as it comes: a test that times out still shows it
        out.flush()
        return True

    for step in steps:
        word, _, arg = step.partition(" ")
        if word == "send":
            os.write(fd, arg.encode().decode("unicode_escape").encode("latin-1"))
        elif word == "expect":
            pat = re.compile(arg.encode())
            end = time.time() + 120
            while True:
                m = pat.search(seen, mark)
                if m:
                    mark = m.end()
                    break
                if time.time() > end or not pump(0.2):
                    sys.stderr.write("pty_drive: never saw %r\n" % arg)
                    rc = 1
                    break
            if rc:
                break
        elif word == "mark":
            now = time.time()
            sys.stderr.write("%s %.4f\n" % (arg, now - clock))
            clock = now
        elif word == "sleep":
            end = time.time() + float(arg)
            while time.time() < end and pump(max(0, end - time.time())):
                pass
    end = time.time() + 30
    while time.time() < end and pump(0.5):
        pass
    try:
        os.kill(pid, 9)
    except ProcessLookupError:
        pass
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) != 9:
        sys.stderr.write("pty_drive: %s died of signal %d\n" % (cmd[0], os.WTERMSIG(status)))
        rc = 1
    out.close()
    return rc

sys.exit(main())
