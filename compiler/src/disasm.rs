//! TODO: stage `disasm`.
