//! The deal library (`deals/` in the repository), compiled in, so that every edge (the binary, the
//! server, Python) lists and serves the same deals without reading a folder.

/// Each library deal as (file stem, text), sorted by name. A test checks the list against the
/// folder.
pub const DEALS: [(&str, &str); 5] = [
    ("eu-us-2025-framework", include_str!("../../../deals/eu-us-2025-framework.toml")),
    ("jp-us-2025-mou", include_str!("../../../deals/jp-us-2025-mou.toml")),
    ("kr-us-2025-kr-offer", include_str!("../../../deals/kr-us-2025-kr-offer.toml")),
    ("kr-us-2025-mou", include_str!("../../../deals/kr-us-2025-mou.toml")),
    ("kr-us-2025-us-ask", include_str!("../../../deals/kr-us-2025-us-ask.toml")),
];

/// The text of the library deal whose file stem is `id`.
pub fn deal(id: &str) -> Option<&'static str> {
    DEALS.iter().find(|(name, _)| *name == id).map(|(_, text)| *text)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_list_is_the_deals_folder() {
        let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/../../deals");
        let mut names: Vec<String> = std::fs::read_dir(folder)
            .unwrap()
            .filter_map(|entry| entry.unwrap().file_name().to_str()?.strip_suffix(".toml").map(str::to_string))
            .collect();
        names.sort();
        let listed: Vec<&str> = super::DEALS.iter().map(|(name, _)| *name).collect();
        assert_eq!(names, listed);
        for (name, text) in super::DEALS {
            let on_disk = std::fs::read_to_string(format!("{folder}/{name}.toml")).unwrap();
            assert_eq!(text, on_disk, "{name}");
        }
        assert!(super::deal("kr-us-2025-mou").is_some());
        assert!(super::deal("kr-us-2025").is_none());
    }
}
