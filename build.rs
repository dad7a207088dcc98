//! Windows only: embeds the icon and the version information (from Cargo.toml and
//! `[package.metadata.winresource]`) into `chainsmith.exe`, with the target's `windres` (mingw's
//! `x86_64-w64-mingw32-windres` when cross-building from Linux). Other targets: nothing.

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=assets/icons/chainsmith.ico");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("windows") {
        return;
    }
    let mut resource = winresource::WindowsResource::new();
    resource.set_icon("assets/icons/chainsmith.ico");
    if let Err(e) = resource.compile() {
        // A build script's failure is the build's: say what is missing.
        panic!(
            "could not embed the Windows icon and version information ({e}); \
             is the target's windres installed (Debian: binutils-mingw-w64-x86-64)?"
        );
    }
}
