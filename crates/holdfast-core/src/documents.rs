//! How the campaign record is split into Automerge documents.
//!
//! The split follows who may hold the data and how it grows:
//!
//! * `campaign`: the structure of the local (members, sites, committees, the
//!   choke-point map, cadences, skills, practices). Every paired device holds it.
//! * `action:<uuid>`: one document per action, holding its shifts, sign-ups,
//!   check-ins and decompression circle. Check-ins are the bulk of the record;
//!   keeping them per action keeps each document's history short, lets a device
//!   load only the actions it touches, and keeps sync messages small because
//!   only the phones at that action write to it.
//! * `arrivals:<member uuid>`: one member's check-ins and check-outs, at every
//!   action. A member's phone holds only its own; picket captains' and
//!   stewards' devices hold everyone's. At a picket of thousands, a plain
//!   member's phone then downloads what it needs (the action, its shifts,
//!   its own arrivals), not every other person's check-in, and the hub's work
//!   per phone does not grow with the crowd.
//! * `aid`: the public side of mutual aid: requests and offers under
//!   pseudonyms, matches and the ledger. Every paired device holds it.
//! * `decisions`: open decision forums, proposals and members' votes.
//!   Every paired device holds it. Votes are open, not secret.
//! * `aid-private`: who is behind each pseudonym. Only aid coordinators' devices
//!   may hold it; it is never sent to any other device.
//! * `personal`: this device's own circle reflections. Never leaves the device.
//!
//! Every document starts from the same deterministic genesis change (a fixed
//! actor and timestamp creating the header and the empty collections), so two
//! devices that create the same document independently share its root objects
//! and their edits merge instead of shadowing each other.

use automerge::{transaction::Transactable, ActorId, AutoCommit, ObjType, ReadDoc, ROOT};

use crate::CoreError;

/// Which of the seven kinds a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocumentKind {
    Campaign,
    Action,
    Aid,
    AidPrivate,
    Personal,
    Decisions,
    Arrivals,
}

/// Who may hold a document. Sync and bundle export consult this before a
/// single byte of the document leaves the device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Audience {
    /// Every paired device of the campaign.
    Campaign,
    /// Only devices paired with the aid coordinator role.
    AidCoordinators,
    /// The member the document belongs to (the devices they carry), picket
    /// captains' and stewards' devices.
    MemberAndCaptains,
    /// Only this device.
    ThisDevice,
}

impl Audience {
    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Campaign => "campaign",
            Audience::AidCoordinators => "aid-coordinators",
            Audience::MemberAndCaptains => "member-and-captains",
            Audience::ThisDevice => "this-device",
        }
    }
}

/// The name of one document, stable across devices.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocumentId(String);

impl DocumentId {
    pub fn campaign() -> Self {
        DocumentId("campaign".into())
    }
    pub fn aid() -> Self {
        DocumentId("aid".into())
    }
    pub fn aid_private() -> Self {
        DocumentId("aid-private".into())
    }
    pub fn decisions() -> Self {
        DocumentId("decisions".into())
    }
    pub fn personal() -> Self {
        DocumentId("personal".into())
    }
    pub fn action(action_id: &str) -> Self {
        DocumentId(format!("action:{action_id}"))
    }
    /// The document of one member's check-ins and check-outs.
    pub fn arrivals(member_id: &str) -> Self {
        DocumentId(format!("arrivals:{member_id}"))
    }

    pub fn parse(text: &str) -> Result<Self, CoreError> {
        let id = DocumentId(text.to_string());
        id.kind()?;
        Ok(id)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn kind(&self) -> Result<DocumentKind, CoreError> {
        match self.0.as_str() {
            "campaign" => Ok(DocumentKind::Campaign),
            "aid" => Ok(DocumentKind::Aid),
            "aid-private" => Ok(DocumentKind::AidPrivate),
            "personal" => Ok(DocumentKind::Personal),
            "decisions" => Ok(DocumentKind::Decisions),
            other => {
                let named = |prefix: &str| {
                    other
                        .strip_prefix(prefix)
                        .is_some_and(|rest| uuid::Uuid::parse_str(rest).is_ok())
                };
                if named("action:") {
                    Ok(DocumentKind::Action)
                } else if named("arrivals:") {
                    Ok(DocumentKind::Arrivals)
                } else {
                    Err(CoreError::UnknownDocumentId(other.to_string()))
                }
            }
        }
    }

    /// The action an `action:<uuid>` document belongs to.
    pub fn action_id(&self) -> Option<&str> {
        self.0.strip_prefix("action:")
    }

    /// The member an `arrivals:<uuid>` document belongs to.
    pub fn arrivals_member(&self) -> Option<&str> {
        self.0.strip_prefix("arrivals:")
    }
}

impl std::fmt::Display for DocumentId {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(&self.0)
    }
}

impl DocumentKind {
    pub fn audience(self) -> Audience {
        match self {
            DocumentKind::Campaign
            | DocumentKind::Action
            | DocumentKind::Aid
            | DocumentKind::Decisions => Audience::Campaign,
            DocumentKind::AidPrivate => Audience::AidCoordinators,
            DocumentKind::Arrivals => Audience::MemberAndCaptains,
            DocumentKind::Personal => Audience::ThisDevice,
        }
    }

    /// The collections (maps keyed by record id) at the root of the document.
    pub fn collections(self) -> &'static [&'static str] {
        use crate::model::*;
        match self {
            DocumentKind::Campaign => &[
                Settings::COLLECTION,
                Member::COLLECTION,
                Site::COLLECTION,
                Department::COLLECTION,
                Committee::COLLECTION,
                Meeting::COLLECTION,
                ChokePoint::COLLECTION,
                Commitment::COLLECTION,
                Cadence::COLLECTION,
                Skill::COLLECTION,
                SkillSession::COLLECTION,
                Attendance::COLLECTION,
                Practice::COLLECTION,
                PracticeEvent::COLLECTION,
                Resolution::COLLECTION,
                Device::COLLECTION,
                BundleKey::COLLECTION,
            ],
            DocumentKind::Action => &[
                Action::COLLECTION,
                Shift::COLLECTION,
                Signup::COLLECTION,
                // Check-ins made before they moved to arrivals documents.
                CheckIn::COLLECTION,
                Circle::COLLECTION,
                RestCommitment::COLLECTION,
                Resolution::COLLECTION,
            ],
            DocumentKind::Aid => &[
                AidRequest::COLLECTION,
                AidOffer::COLLECTION,
                AidMatch::COLLECTION,
                LedgerEntry::COLLECTION,
                Resolution::COLLECTION,
            ],
            DocumentKind::AidPrivate => &[AidIdentity::COLLECTION],
            DocumentKind::Arrivals => &[CheckIn::COLLECTION, Resolution::COLLECTION],
            DocumentKind::Personal => &[Reflection::COLLECTION],
            DocumentKind::Decisions => &[
                Proposal::COLLECTION,
                Vote::COLLECTION,
                Resolution::COLLECTION,
            ],
        }
    }
}

use crate::Record;

/// The key at the document root that names the document, so that a
/// `.automerge` file carries what it is.
pub const HEADER_KEY: &str = "holdfast";

/// Builds a document's deterministic first change: the header and the empty
/// collections, written by an actor derived from the document id at time 0.
/// Every device that makes this document makes byte-identical genesis changes.
pub fn genesis(id: &DocumentId) -> Result<AutoCommit, CoreError> {
    let kind = id.kind()?;
    let genesis_actor = ActorId::from(genesis_actor_bytes(id));
    let mut doc = AutoCommit::new().with_actor(genesis_actor);
    let header = doc.put_object(ROOT, HEADER_KEY, ObjType::Map)?;
    doc.put(&header, "document", id.as_str())?;
    doc.put(&header, "format", 1_i64)?;
    for collection in kind.collections() {
        doc.put_object(ROOT, *collection, ObjType::Map)?;
    }
    doc.commit_with(
        automerge::transaction::CommitOptions::default()
            .with_time(0)
            .with_message("genesis"),
    );
    Ok(doc)
}

/// Reads the document id out of a document's header.
pub fn read_header(doc: &AutoCommit) -> Result<DocumentId, CoreError> {
    let header = match doc.get(ROOT, HEADER_KEY)? {
        Some((automerge::Value::Object(ObjType::Map), header)) => header,
        _ => return Err(CoreError::MissingHeader),
    };
    match doc.get(&header, "document")? {
        Some((automerge::Value::Scalar(scalar), _)) => match scalar.as_ref() {
            automerge::ScalarValue::Str(text) => DocumentId::parse(text),
            _ => Err(CoreError::MissingHeader),
        },
        _ => Err(CoreError::MissingHeader),
    }
}

fn genesis_actor_bytes(id: &DocumentId) -> [u8; 16] {
    // A stable 128-bit digest of the id (FNV-1a in two lanes). Stability matters,
    // not strength: the actor only has to be the same on every device.
    let mut lanes = [0xcbf2_9ce4_8422_2325_u64, 0x8422_2325_cbf2_9ce4_u64];
    for (lane_index, lane) in lanes.iter_mut().enumerate() {
        for byte in id.as_str().bytes().chain(std::iter::once(lane_index as u8)) {
            *lane ^= u64::from(byte);
            *lane = lane.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    let mut bytes = [0_u8; 16];
    bytes[..8].copy_from_slice(&lanes[0].to_be_bytes());
    bytes[8..].copy_from_slice(&lanes[1].to_be_bytes());
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn genesis_is_identical_on_every_device() {
        let id = DocumentId::action("6f1c1d5e-7d3a-4a53-9d63-2a0f3f0d1e11");
        let mut first = genesis(&id).unwrap();
        let mut second = genesis(&id).unwrap();
        assert_eq!(first.get_heads(), second.get_heads());
        assert_eq!(read_header(&first).unwrap(), id);
    }

    #[test]
    fn independently_created_documents_merge_without_shadowing() {
        use crate::model::Site;
        let id = DocumentId::campaign();
        let mut first = genesis(&id).unwrap();
        first.set_actor(ActorId::random());
        let mut second = genesis(&id).unwrap();
        second.set_actor(ActorId::random());
        let north = Site::new("North depot");
        let south = Site::new("South depot");
        crate::record::put(&mut first, &north).unwrap();
        crate::record::put(&mut second, &south).unwrap();
        first.merge(&mut second).unwrap();
        let sites: Vec<Site> = crate::record::all(&first).unwrap();
        assert_eq!(sites.len(), 2);
    }

    #[test]
    fn document_ids_are_checked() {
        assert!(DocumentId::parse("campaign").is_ok());
        assert!(DocumentId::parse("action:not-a-uuid").is_err());
        assert!(DocumentId::parse("arrivals:not-a-uuid").is_err());
        let arrivals = DocumentId::arrivals("6f1c1d5e-7d3a-4a53-9d63-2a0f3f0d1e11");
        assert_eq!(
            DocumentId::parse(arrivals.as_str())
                .unwrap()
                .kind()
                .unwrap(),
            DocumentKind::Arrivals
        );
        assert_eq!(
            arrivals.arrivals_member(),
            Some("6f1c1d5e-7d3a-4a53-9d63-2a0f3f0d1e11")
        );
        assert!(DocumentId::parse("secrets").is_err());
    }
}
