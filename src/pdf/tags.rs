//! The layout's structure → krilla's tag tree; and the marked-content locations that tie
//! krilla's validation errors back to structure nodes.

use super::docinfo::short;
use crate::layout::structure::{NodeId, Role, Structure};
use krilla::configure::PdfVersion;
use krilla::surface::Location;
use krilla::tagging::{
    Identifier, ListNumbering, Node, TableHeaderScope, Tag, TagGroup, TagKind, TagTree,
};
use std::num::{NonZeroU16, NonZeroU64};

/// The location krilla is given for a node's content, so that a validation error names
/// the node (krilla's locations are non-zero).
pub fn location(node: NodeId) -> Location {
    NonZeroU64::new(u64::from(node) + 1).unwrap_or(NonZeroU64::MIN)
}

/// The node a location was made for.
pub fn node_of(loc: Location) -> NodeId {
    NodeId::try_from(loc.get() - 1).unwrap_or(0)
}

fn tag_of(role: &Role, node: NodeId, version: PdfVersion) -> Option<TagKind> {
    let loc = Some(location(node));
    Some(match role {
        Role::Document => return None,
        Role::Article => Tag::Article.into(),
        Role::HeadlineGroup => Tag::Div.into(),
        Role::Heading { level, title } => Tag::Hn(
            NonZeroU16::new(u16::from(*level).max(1)).unwrap_or(NonZeroU16::MIN),
            Some(short(title)),
        )
        .into(),
        Role::Paragraph => Tag::P.into(),
        Role::List { ordered } => Tag::L(if *ordered {
            ListNumbering::Decimal
        } else {
            ListNumbering::Disc
        })
        .into(),
        Role::ListItem => Tag::LI.into(),
        Role::Label => Tag::Lbl.into(),
        Role::ListBody => Tag::LBody.into(),
        Role::Quote => Tag::BlockQuote.into(),
        Role::Code => Tag::Code.into(),
        Role::Table => Tag::Table.into(),
        Role::Row => Tag::TR.into(),
        // The scope attribute needs PDF 1.5; PDF/A-1 is 1.4.
        Role::HeaderCell if version >= PdfVersion::Pdf15 => {
            Tag::TH(TableHeaderScope::Column).into()
        }
        Role::HeaderCell | Role::Cell => Tag::TD.into(),
        Role::Figure { alt } => {
            let alt = (!alt.trim().is_empty()).then(|| alt.clone());
            Tag::Figure(alt).with_location(loc).into()
        }
        Role::Caption => Tag::Caption.into(),
        Role::Note => Tag::Note.into(),
        Role::Link { .. } => Tag::Link.into(),
    })
}

/// The tag tree: the structure's nodes, children in the model's order (node ids), a
/// node's own content in drawing order and, where a node has both (a paragraph and its
/// links, a figure's image and its caption), the two merged by where each first appears
/// in the drawing. Built from the last node back, since a child's id is always greater
/// than its parent's: no recursion.
pub fn tag_tree(
    structure: &Structure,
    leaves: Vec<(NodeId, Identifier)>,
    version: PdfVersion,
) -> TagTree {
    let n = structure.nodes.len();
    // (draw order, node) per structure node.
    let mut own: Vec<Vec<(usize, Node)>> = (0..n).map(|_| Vec::new()).collect();
    for (seq, (node, leaf)) in leaves.into_iter().enumerate() {
        if let Some(list) = own.get_mut(node as usize) {
            list.push((seq, Node::Leaf(leaf)));
        }
    }
    // Child groups with their first content's draw order, gathered in reverse id order.
    let mut kids: Vec<Vec<(usize, Node)>> = (0..n).map(|_| Vec::new()).collect();
    for id in (0..n).rev() {
        let mut groups = std::mem::take(&mut kids[id]);
        groups.reverse();
        let mut children = std::mem::take(&mut own[id]);
        if children.is_empty() {
            children = groups;
        } else if !groups.is_empty() {
            children.extend(groups);
            children.sort_by_key(|(seq, _)| *seq);
        }
        let Some(first) = children.iter().map(|(seq, _)| *seq).min() else {
            continue;
        };
        let children: Vec<Node> = children.into_iter().map(|(_, c)| c).collect();
        if id == 0 {
            // The root: its children are the tree's.
            let mut tree = TagTree::new();
            for c in children {
                tree.push(c);
            }
            return tree;
        }
        let node = &structure.nodes[id];
        let nid = NodeId::try_from(id).unwrap_or(0);
        if let Some(tag) = tag_of(&node.role, nid, version) {
            if (node.parent as usize) < id {
                let group = TagGroup::with_children(tag, children);
                kids[node.parent as usize].push((first, Node::Group(group)));
            }
        }
    }
    TagTree::new()
}
