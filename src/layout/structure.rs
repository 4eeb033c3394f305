//! The logical structure of a laid-out document, as the layout meets it: which article,
//! heading, paragraph, list, table cell or figure each glyph and image belongs to. Pure
//! data, no PDF types; the writer turns it into the PDF's tag tree. Nodes are created in
//! the model's order, so a node's children, by id, are in reading order.

use crate::model::Location;

/// Index of a node in [`Structure::nodes`].
pub type NodeId = u32;

/// The root: the document itself.
pub const ROOT: NodeId = 0;

/// What a glyph, image or rule on a page belongs to: a structure node, or page furniture
/// that is no part of the text (an artifact).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Owner {
    /// Rules, the masthead and date bar: decoration.
    #[default]
    Layout,
    /// The running head.
    Header,
    /// The folio.
    Footer,
    Node(NodeId),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Role {
    Document,
    Article,
    /// Kicker, title and subtitles of an article's headline.
    HeadlineGroup,
    /// `level` 1 is an article's title.
    Heading {
        level: u8,
        title: String,
    },
    Paragraph,
    List {
        ordered: bool,
    },
    ListItem,
    Label,
    ListBody,
    Quote,
    Code,
    Table,
    Row,
    HeaderCell,
    Cell,
    /// An image with its alt text; its caption is a child.
    Figure {
        alt: String,
    },
    Caption,
    Note,
    /// A link in a paragraph: its text, and the link annotation over it.
    Link {
        url: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub role: Role,
    pub parent: NodeId,
    /// Where in the source it comes from, when known (for error messages): an index into
    /// the structure's files and a line (0: unknown). A large issue has hundreds of
    /// thousands of nodes; a path each would be tens of MB.
    file: u32,
    line: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Structure {
    pub nodes: Vec<Node>,
    files: Vec<std::path::PathBuf>,
}

impl Default for Structure {
    fn default() -> Self {
        Structure {
            nodes: vec![Node {
                role: Role::Document,
                parent: ROOT,
                file: 0,
                line: 0,
            }],
            files: Vec::new(),
        }
    }
}

impl Structure {
    pub fn add(&mut self, parent: NodeId, role: Role, location: Option<&Location>) -> NodeId {
        let id = NodeId::try_from(self.nodes.len()).unwrap_or(NodeId::MAX);
        let (file, line) = match location {
            Some(l) => {
                let known = self.files.iter().rposition(|f| *f == l.path);
                let i = known.unwrap_or_else(|| {
                    self.files.push(l.path.clone());
                    self.files.len() - 1
                });
                (
                    u32::try_from(i).unwrap_or(0),
                    u32::try_from(l.line).unwrap_or(u32::MAX),
                )
            }
            None => (0, 0),
        };
        self.nodes.push(Node {
            role,
            parent,
            file,
            line,
        });
        id
    }

    fn location_of(&self, n: &Node) -> Option<Location> {
        (n.line > 0).then(|| Location {
            path: self.files.get(n.file as usize).cloned().unwrap_or_default(),
            line: n.line as usize,
        })
    }

    /// The source location of `id` or of its nearest ancestor that has one.
    pub fn location(&self, mut id: NodeId) -> Option<Location> {
        loop {
            let n = self.nodes.get(id as usize)?;
            if let Some(l) = self.location_of(n) {
                return Some(l);
            }
            if id == ROOT || n.parent >= id {
                return None;
            }
            id = n.parent;
        }
    }

    /// Any known location (the document's first), for errors that name no element.
    pub fn any_location(&self) -> Option<Location> {
        self.nodes.iter().find_map(|n| self.location_of(n))
    }
}
