//! Which renderer draws the window, in which order they are tried, and how the window says so.
//!
//! eframe draws with wgpu (Direct3D 12, Vulkan, Metal, or OpenGL through it) or with OpenGL directly
//! (glow). The first one tried is the one each platform has everywhere:
//! - **Windows** (and macOS): wgpu. Direct3D 12 works in virtual machines and over remote desktops
//!   (WARP, its software rasteriser), where OpenGL is often only Windows' 1.1.
//! - **Linux** and other Unix systems: OpenGL. Mesa or the maker's driver provides it on every desktop,
//!   and it starts sooner and smaller: the first frame under Xvfb (Mesa's llvmpipe) at 122 ms against
//!   wgpu's 155 ms, idle RSS 116 against 128 MB, measured side by side (`scripts/first-frame.sh`,
//!   `docs/DEVELOPMENT.md`). Vulkan, which wgpu would use, is missing from many of them.
//!
//! When the first cannot start, the other is tried, and the status bar says the window is drawn the
//! other way. `CHAINSMITH_RENDERER=wgpu` or `=opengl` picks the first one (an admin whose window
//! draws wrongly with one can try the other).

/// A way to draw the window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Renderer {
    Wgpu,
    OpenGl,
}

impl Renderer {
    /// The first renderer tried: `setting` (`CHAINSMITH_RENDERER`: `wgpu` or `opengl`, any case), else
    /// this platform's own. A setting that is neither is said and left aside.
    pub fn first(setting: Option<&str>) -> Self {
        match setting.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
            Some("wgpu") => Self::Wgpu,
            Some("opengl" | "gl" | "glow") => Self::OpenGl,
            Some("") | None => Self::platform(),
            Some(other) => {
                crate::errln!(
                    "chainsmith: CHAINSMITH_RENDERER={} is neither wgpu nor opengl; using {}",
                    crate::engine::text::escape(other),
                    Self::platform().words()
                );
                Self::platform()
            }
        }
    }

    /// The renderer this platform tries first (see the module's words).
    pub fn platform() -> Self {
        if cfg!(any(windows, target_os = "macos")) {
            Self::Wgpu
        } else {
            Self::OpenGl
        }
    }

    /// The one tried when this one cannot start.
    pub fn other(self) -> Self {
        match self {
            Self::Wgpu => Self::OpenGl,
            Self::OpenGl => Self::Wgpu,
        }
    }

    /// Its name for people.
    pub fn words(self) -> &'static str {
        match self {
            Self::Wgpu => "wgpu",
            Self::OpenGl => "OpenGL",
        }
    }

    /// What it draws through, for a sentence that says it could not start.
    pub fn through(self) -> &'static str {
        match self {
            Self::Wgpu => "Direct3D, Vulkan or Metal",
            Self::OpenGl => "OpenGL",
        }
    }

    pub(super) fn eframe(self) -> eframe::Renderer {
        match self {
            Self::Wgpu => eframe::Renderer::Wgpu,
            Self::OpenGl => eframe::Renderer::Glow,
        }
    }

    /// Whether `error` is this renderer failing to start (as opposed to the display or event loop).
    pub(super) fn failed_to_start(self, error: &eframe::Error) -> bool {
        match self {
            Self::Wgpu => matches!(error, eframe::Error::Wgpu(_)),
            Self::OpenGl => matches!(
                error,
                eframe::Error::Glutin(_)
                    | eframe::Error::NoGlutinConfigs(..)
                    | eframe::Error::OpenGL(_)
            ),
        }
    }
}

/// How the window is drawn: the renderer, and, when it is not the first one tried, why that one was
/// given up (the status bar says so).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DrawnWith {
    pub renderer: Renderer,
    pub fallback: Option<String>,
}

impl Default for DrawnWith {
    fn default() -> Self {
        Self {
            renderer: Renderer::platform(),
            fallback: None,
        }
    }
}

impl DrawnWith {
    /// For the start-up timing line: "OpenGL", "OpenGL, as wgpu could not start".
    pub fn words(&self) -> String {
        match &self.fallback {
            None => self.renderer.words().to_string(),
            Some(_) => format!(
                "{}, as {} could not start",
                self.renderer.words(),
                self.renderer.other().words()
            ),
        }
    }

    /// The status bar's label and its hover text, when the window is drawn the second way.
    pub fn status(&self) -> Option<(String, String)> {
        let why = self.fallback.as_ref()?;
        Some((
            format!("Drawn with {}", self.renderer.words()),
            format!(
                "{} could not be started, so the window is drawn with {}: {}",
                self.renderer.other().through(),
                self.renderer.words(),
                crate::engine::text::escape(why)
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_setting_picks_the_first_renderer() {
        assert_eq!(Renderer::first(Some("wgpu")), Renderer::Wgpu);
        assert_eq!(Renderer::first(Some(" OpenGL ")), Renderer::OpenGl);
        assert_eq!(Renderer::first(Some("gl")), Renderer::OpenGl);
        assert_eq!(Renderer::first(None), Renderer::platform());
        assert_eq!(Renderer::first(Some("vulkan")), Renderer::platform());
        let expected = if cfg!(windows) {
            Renderer::Wgpu
        } else {
            Renderer::OpenGl
        };
        assert_eq!(Renderer::platform(), expected);
    }

    #[test]
    fn the_words_name_both_renderers() {
        let usual = DrawnWith::default();
        assert_eq!(usual.status(), None);
        let fell_back = DrawnWith {
            renderer: Renderer::Wgpu,
            fallback: Some("no EGL display".into()),
        };
        assert_eq!(fell_back.words(), "wgpu, as OpenGL could not start");
        assert_eq!(
            fell_back.status().map(|(label, _)| label).as_deref(),
            Some("Drawn with wgpu")
        );
    }
}
