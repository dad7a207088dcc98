//! The command line as Windows hands it over, before clap reads it.

use std::ffi::OsString;

/// Windows: the hint for an argument that swallowed the rest of the line. Windows programs split
/// their command line themselves, and by the C runtime's rule a backslash before a quote escapes it:
/// `chainsmith check "C:\certs\" --host sbc1` (PowerShell's Tab completion writes a folder that way)
/// reaches us as the one argument `C:\certs" --host sbc1`. No Windows path holds a quote, so an
/// argument that looks like a path up to a quote is this mistake, told here rather than as a file
/// that does not exist. Other systems allow quotes in file names, so this is Windows only.
pub fn swallowed_quote_hint(args: &[OsString]) -> Option<String> {
    if !cfg!(windows) {
        return None;
    }
    swallowed_quote(args)
}

fn swallowed_quote(args: &[OsString]) -> Option<String> {
    args.iter().skip(1).find_map(|arg| {
        let arg = arg.to_string_lossy();
        let (before, _) = arg.split_once('"')?;
        let path_like = before.contains('\\') || before.as_bytes().get(1) == Some(&b':');
        path_like.then(|| {
            format!(
                "the argument \"{}\" has a quote in it, which no Windows path can: a backslash \
                 just before a closing quote (\\\" as in \"{before}\\\") escapes the quote, so the \
                 rest of the line became part of this argument. Leave out the last backslash \
                 (\"{}\") or double it (\"{before}\\\\\"), and run the command again.",
                crate::engine::text::escape(&arg),
                before.trim_end_matches('\\')
            )
        })
    })
}

/// clap's words for a usage error, quoting what was typed as [`crate::engine::text::escape`] shows
/// it. clap quotes arguments as given (stripping ANSI sequences, keeping other controls and
/// backslashes), so the arguments are escaped and parsed again: that fails the same way and its words
/// quote them escaped, once. Should it not fail the same way, clap's first words are kept (the
/// console's writer still makes any control character visible).
pub fn usage_words<P: clap::Parser>(error: &clap::Error, args: &[std::ffi::OsString]) -> String {
    let shown: Vec<String> = args
        .iter()
        .map(|a| crate::engine::text::escaped(&a.to_string_lossy()))
        .collect();
    match P::try_parse_from(shown) {
        Err(again) if again.kind() == error.kind() => again.render().to_string(),
        _ => error.render().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::swallowed_quote;
    use std::ffi::OsString;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn a_folder_with_a_backslash_before_its_closing_quote_gets_the_hint() {
        // What `chainsmith check "C:\certs\" --host sbc1` becomes after Windows' splitting.
        let hint = swallowed_quote(&args(&["chainsmith", "check", "C:\\certs\" --host sbc1"]))
            .expect("a hint");
        assert!(hint.contains("(\"C:\\certs\")"), "{hint}");
        assert!(hint.contains("C:\\certs\" --host sbc1"), "{hint}");
        // A quote inside a command line given as an option's value is not a path.
        assert_eq!(
            swallowed_quote(&args(&["chainsmith", "upload", "--reload", "sh -c \"x\""])),
            None
        );
        assert_eq!(
            swallowed_quote(&args(&["chainsmith", "check", "C:\\certs"])),
            None
        );
    }
}
