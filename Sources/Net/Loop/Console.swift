import CLibUV

/// Makes standard output line-buffered, so that each `print` reaches the terminal, a pipe or a file
/// when its line ends, as `console.log` does in Node.
///
/// The C library buffers standard output fully when it is not a terminal: the output of a program
/// piped into another one (`swift run MyServer | tee log`) then appears in blocks of 4 KiB or at exit,
/// long after the events that printed it. Call this once, first thing in `main.swift`, before anything
/// is printed. It is C's `setvbuf(stdout, NULL, _IOLBF, 0)`, which Swift 6 code cannot write itself:
/// a reference to C's global `stdout` is an error in the Swift 6 language mode. Standard error is
/// unbuffered already.
public func lineBufferStandardOutput() {
    net_line_buffer_stdout()
}
