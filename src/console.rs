//! Windows: one program, two faces.
//!
//! `chainsmith.exe` is linked for the window subsystem (`src/main.rs`), so a double-click, the Start menu
//! shortcut or "Open with" opens the window with no console flashing up. Run with a command from cmd or
//! PowerShell, it attaches to that terminal's console ([`attach_to_parent_console`]) so its output
//! shows there. Windows does not wait for a window-subsystem program, though, so the terminal gets its
//! prompt back at once and no exit code: the packages therefore also ship `chainsmith.com`, the same
//! program with the console subsystem (`packaging/build-windows.sh` flips the one header field), which
//! cmd and PowerShell pick first for a bare `chainsmith` (`.COM` comes before `.EXE` in `PATHEXT`), and
//! which they wait for, with its exit code. On other platforms there is nothing to do.

/// Attaches the process to its parent's console, if it has none and the parent has one (a terminal).
/// Standard handles the parent redirected (to a file or a pipe) stay as they are.
#[cfg(windows)]
pub fn attach_to_parent_console() {
    use windows_sys::Win32::System::Console::{ATTACH_PARENT_PROCESS, AttachConsole};
    // SAFETY: AttachConsole takes a process id by value and touches no memory of ours. It fails when
    // the process already has a console (chainsmith.com) or the parent has none (Explorer); both are
    // fine, so the result is not looked at.
    unsafe {
        AttachConsole(ATTACH_PARENT_PROCESS);
    }
}

/// Whether the process has a console to print to (Explorer-started chainsmith.exe has none).
#[cfg(windows)]
pub fn has_console() -> bool {
    // SAFETY: GetConsoleWindow takes nothing and returns a handle (null when there is no console).
    !unsafe { windows_sys::Win32::System::Console::GetConsoleWindow() }.is_null()
}

/// Nothing to do: Unix programs share their terminal.
#[cfg(not(windows))]
pub fn attach_to_parent_console() {}

/// Standard output as the admin will read it (see [`Text`]).
pub fn stdout() -> Text<std::io::StdoutLock<'static>> {
    let out = std::io::stdout();
    let ascii = cfg!(windows) && !std::io::IsTerminal::is_terminal(&out);
    Text::new(out.lock(), ascii)
}

/// Standard error as the admin will read it (see [`Text`]).
pub fn stderr() -> Text<std::io::StderrLock<'static>> {
    let err = std::io::stderr();
    let ascii = cfg!(windows) && !std::io::IsTerminal::is_terminal(&err);
    Text::new(err.lock(), ascii)
}

/// Text for a terminal, a file or a pipe: whatever printed it, no raw control character goes out
/// (see [`crate::engine::text::terminal_safe`]; values are escaped where they are put into the text
/// too, which also makes their line breaks visible).
///
///
/// Windows: the console takes Unicode (Rust writes to it in UTF-16), but text redirected to a file or
/// a pipe is read in the console's code page (437, 850, 1252…): `cmd`'s `type`, Windows PowerShell
/// 5.1's pipes and `>` decode it that way whatever it starts with, so a BOM would not help them, and
/// UTF-8 comes out as `ÔåÆ`. Redirected text is therefore plain ASCII there: Chainsmith's own
/// symbols get ASCII stand-ins (`→` as `->`, `§` as `sec.`, `…` as `...`), and any other non-ASCII
/// character (a name from a certificate, an accented path) is written as its code point, `\u{eb}`,
/// the way control characters already are. Elsewhere text is UTF-8, as the locale expects.
/// Binary output (a DER bundle to `-`) does not go through here.
pub struct Text<W: std::io::Write> {
    inner: W,
    ascii: bool,
    /// The start of a UTF-8 sequence cut by the end of the last write.
    carry: Vec<u8>,
}

impl<W: std::io::Write> Text<W> {
    pub fn new(inner: W, ascii: bool) -> Self {
        Self {
            inner,
            ascii,
            carry: Vec::new(),
        }
    }
}

impl<W: std::io::Write> Text<W> {
    /// `text` as it goes out: no raw control character ([`crate::engine::text::terminal_safe`]),
    /// and ASCII where redirected on Windows.
    fn shown(&self, text: &str, out: &mut String) {
        let safe = crate::engine::text::terminal_safe(text);
        if self.ascii {
            out.push_str(&ascii(&safe));
        } else {
            out.push_str(&safe);
        }
    }
}

impl<W: std::io::Write> std::io::Write for Text<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut bytes = std::mem::take(&mut self.carry);
        bytes.extend_from_slice(buf);
        let mut out = String::new();
        let mut rest = bytes.as_slice();
        loop {
            match std::str::from_utf8(rest) {
                Ok(text) => {
                    self.shown(text, &mut out);
                    break;
                }
                Err(e) => {
                    let (good, bad) = rest.split_at(e.valid_up_to());
                    // valid_up_to marks a prefix that is UTF-8.
                    self.shown(std::str::from_utf8(good).unwrap_or_default(), &mut out);
                    match e.error_len() {
                        // Cut short: wait for the rest of the character.
                        None => {
                            self.carry = bad.to_vec();
                            break;
                        }
                        // Not UTF-8 at all: shown as bytes, never passed raw.
                        Some(n) => {
                            for b in &bad[..n] {
                                out.push_str(&format!("\\x{b:02x}"));
                            }
                            rest = &bad[n..];
                        }
                    }
                }
            }
        }
        self.inner.write_all(out.as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// `text` in ASCII (see [`Text`]).
pub fn ascii(text: &str) -> std::borrow::Cow<'_, str> {
    if text.is_ascii() {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            c if c.is_ascii() => out.push(c),
            '→' | '↳' | '➡' => out.push_str("->"),
            '←' => out.push_str("<-"),
            '§' => out.push_str("sec."),
            '…' => out.push_str("..."),
            '—' => out.push_str("--"),
            '–' | '─' | '‐' => out.push('-'),
            '►' | '▸' => out.push('>'),
            '·' | '•' => out.push('*'),
            '“' | '”' | '«' | '»' => out.push('"'),
            '‘' | '’' => out.push('\''),
            '✔' | '✓' => out.push_str("[ok]"),
            '✖' | '✘' => out.push_str("[x]"),
            '⚠' => out.push_str("[!]"),
            '×' => out.push('x'),
            '≥' => out.push_str(">="),
            '≤' => out.push_str("<="),
            '\u{a0}' => out.push(' '),
            c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// `println!` through [`stdout`]; a closed pipe ends nothing (the error is dropped, not a panic).
#[macro_export]
macro_rules! outln {
    ($($arg:tt)*) => {{
        use ::std::io::Write as _;
        let _ = writeln!($crate::console::stdout(), $($arg)*);
    }};
}

/// `eprintln!` through [`stderr`].
#[macro_export]
macro_rules! errln {
    ($($arg:tt)*) => {{
        use ::std::io::Write as _;
        let _ = writeln!($crate::console::stderr(), $($arg)*);
    }};
}

/// `eprint!` through [`stderr`].
#[macro_export]
macro_rules! err_print {
    ($($arg:tt)*) => {{
        use ::std::io::Write as _;
        let _ = write!($crate::console::stderr(), $($arg)*);
    }};
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    #[test]
    fn redirected_text_is_ascii_with_readable_stand_ins() {
        assert_eq!(
            super::ascii("RFC 5280 §4.2.1.9 → Zoë… “ok”"),
            "RFC 5280 sec.4.2.1.9 -> Zo\\u{eb}... \"ok\""
        );
        // A character cut between two writes is converted once whole.
        let mut out = super::Text::new(Vec::new(), true);
        let arrow = "a→b".as_bytes();
        out.write_all(&arrow[..2]).unwrap();
        out.write_all(&arrow[2..]).unwrap();
        out.write_all(b"\xff!").unwrap();
        assert_eq!(String::from_utf8(out.inner).unwrap(), "a->b\\xff!");
        // Not redirected on Windows (or elsewhere): Unicode as it is, never a raw control character.
        let mut out = super::Text::new(Vec::new(), false);
        writeln!(out, "Zoë →\t\u{1b}[2J").unwrap();
        assert_eq!(String::from_utf8(out.inner).unwrap(), "Zoë →\t\\x1b[2J\n");
    }
}
