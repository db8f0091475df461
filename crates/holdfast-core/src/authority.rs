//! Who may write what: the one write policy, and the check every change
//! passes before a device keeps it.
//!
//! A device's authority comes from the `campaign` document as the checking
//! device holds it: the device's record (its signing key, the role it was
//! paired with, whether it was revoked) and the roles of the member who
//! carries it. Both are written only by stewards' devices, and that rule is
//! itself checked here, so a phone cannot grant itself more.
//!
//! [`check`] is the door for changes from other devices: the change must be
//! signed by the key in its author's device record, the author must not be
//! revoked past what the revocation covered, and every record the change
//! touches must be one the author may write ([`POLICY`]). [`check_policy`]
//! is the same rule without the signature, for a device's own edits, so
//! the command line, the web UI and every receiver answer alike.
//!
//! The check reads records at the change's own causal past (before) and at
//! the change itself (after), so what a change did is judged the same way on
//! every device, whatever else it has merged since.
//!
//! A role taken from a member is not simply gone: the steward's device
//! records, per device of that member and per document, how far that
//! device's changes reached when it took the role ([`Member::demotions`]).
//! [`Author::at`] gives a change the roles whose cover reaches its sequence
//! number, so a change made with the role before the demotion keeps it on
//! every device, and one made after loses it, whichever a device hears of
//! first.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use automerge::{ActorId, AutoCommit, Change, ChangeHash, ObjType, ReadDoc, Value, ROOT};

use crate::model::{Device, Member, Role};
use crate::{signing, DocumentId, DocumentKind};

/// Who, besides a steward's device, may write records of a collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// A device whose member holds the role, or that was paired with it.
    Role(Role),
    /// The member the record names in `member_id`, on their own device,
    /// before and after the change.
    Owner,
    /// The device that created the record.
    Creator,
    /// Any paired device, for new records only.
    Anyone,
    /// Any paired device, for a new ledger entry of kind `contribution`.
    Contributor,
    /// A picket captain's device, for a new member record that is a walk-in
    /// with no roles (never a steward, captain or anyone who could act).
    WalkInBy(Role),
}

/// Who may create records of a collection, and who may change existing ones.
/// Removing a record is for stewards' devices only (erasing a member).
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub collection: &'static str,
    pub create: &'static [Who],
    pub change: &'static [Who],
}

const STEWARDS: &[Who] = &[];
const CAPTAINS: &[Who] = &[Who::Role(Role::PicketCaptain)];
const FACILITATORS: &[Who] = &[Who::Role(Role::Facilitator)];
const COORDINATORS: &[Who] = &[Who::Role(Role::AidCoordinator)];
const SETTLERS: &[Who] = &[
    Who::Role(Role::PicketCaptain),
    Who::Role(Role::AidCoordinator),
    Who::Role(Role::Facilitator),
];

/// The write policy: one row per collection of each kind of document. A
/// steward's device may write every record (within the device rules of
/// [`check_policy`]); the row says who else may.
pub const POLICY: &[(DocumentKind, Rule)] = &[
    (DocumentKind::Campaign, rule("settings", STEWARDS, STEWARDS)),
    (
        DocumentKind::Campaign,
        rule("members", &[Who::WalkInBy(Role::PicketCaptain)], STEWARDS),
    ),
    (DocumentKind::Campaign, rule("sites", STEWARDS, STEWARDS)),
    (
        DocumentKind::Campaign,
        rule("departments", STEWARDS, STEWARDS),
    ),
    (
        DocumentKind::Campaign,
        rule("committees", FACILITATORS, FACILITATORS),
    ),
    (
        DocumentKind::Campaign,
        rule("meetings", FACILITATORS, FACILITATORS),
    ),
    (
        DocumentKind::Campaign,
        rule("choke_points", STEWARDS, STEWARDS),
    ),
    (
        DocumentKind::Campaign,
        rule("commitments", &[Who::Owner], &[Who::Owner]),
    ),
    (DocumentKind::Campaign, rule("cadences", CAPTAINS, CAPTAINS)),
    (
        DocumentKind::Campaign,
        rule("skills", FACILITATORS, FACILITATORS),
    ),
    (
        DocumentKind::Campaign,
        rule("skill_sessions", FACILITATORS, FACILITATORS),
    ),
    (
        DocumentKind::Campaign,
        rule(
            "attendance",
            &[Who::Owner, Who::Role(Role::Facilitator)],
            &[Who::Owner, Who::Role(Role::Facilitator)],
        ),
    ),
    (
        DocumentKind::Campaign,
        rule("practices", FACILITATORS, FACILITATORS),
    ),
    (
        DocumentKind::Campaign,
        rule("practice_events", FACILITATORS, FACILITATORS),
    ),
    (
        DocumentKind::Campaign,
        rule("resolutions", SETTLERS, SETTLERS),
    ),
    (DocumentKind::Campaign, rule("devices", STEWARDS, STEWARDS)),
    (
        DocumentKind::Campaign,
        rule("bundle_keys", STEWARDS, STEWARDS),
    ),
    (DocumentKind::Action, rule("action", CAPTAINS, CAPTAINS)),
    (DocumentKind::Action, rule("shifts", CAPTAINS, CAPTAINS)),
    (
        DocumentKind::Action,
        rule(
            "signups",
            &[Who::Owner, Who::Role(Role::PicketCaptain)],
            &[Who::Owner, Who::Role(Role::PicketCaptain)],
        ),
    ),
    (
        DocumentKind::Action,
        rule(
            "circles",
            &[Who::Role(Role::Facilitator), Who::Role(Role::PicketCaptain)],
            &[Who::Role(Role::Facilitator), Who::Role(Role::PicketCaptain)],
        ),
    ),
    (
        DocumentKind::Action,
        rule(
            "rest_commitments",
            &[Who::Owner, Who::Role(Role::Facilitator)],
            &[Who::Owner, Who::Role(Role::Facilitator)],
        ),
    ),
    (
        DocumentKind::Action,
        rule("resolutions", SETTLERS, SETTLERS),
    ),
    // Check-ins live in each member's arrivals document, and only there:
    // the record names the document's own member (`check_arrival`).
    (
        DocumentKind::Arrivals,
        rule(
            "checkins",
            &[Who::Owner, Who::Role(Role::PicketCaptain)],
            &[Who::Owner, Who::Role(Role::PicketCaptain)],
        ),
    ),
    (
        DocumentKind::Arrivals,
        rule("resolutions", SETTLERS, SETTLERS),
    ),
    (
        DocumentKind::Aid,
        rule(
            "requests",
            &[Who::Anyone],
            &[Who::Creator, Who::Role(Role::AidCoordinator)],
        ),
    ),
    (
        DocumentKind::Aid,
        rule(
            "offers",
            &[Who::Anyone],
            &[Who::Creator, Who::Role(Role::AidCoordinator)],
        ),
    ),
    (
        DocumentKind::Aid,
        rule("matches", COORDINATORS, COORDINATORS),
    ),
    (
        DocumentKind::Aid,
        rule(
            "ledger",
            &[Who::Contributor, Who::Role(Role::AidCoordinator)],
            COORDINATORS,
        ),
    ),
    (
        DocumentKind::Aid,
        rule("resolutions", COORDINATORS, COORDINATORS),
    ),
    // A member's own device keeps who is behind its own requests; the
    // document never leaves it unless it is a coordinator's.
    (
        DocumentKind::AidPrivate,
        rule(
            "identities",
            &[Who::Owner, Who::Role(Role::AidCoordinator)],
            COORDINATORS,
        ),
    ),
    (
        DocumentKind::Personal,
        rule("reflections", &[Who::Anyone], &[Who::Creator]),
    ),
    // Any member may put a proposal; facilitators close it. Each member
    // casts and changes only their own vote. What a vote may name, and
    // that a closing's count is the votes it saw, hold for stewards too
    // (`check_decision`).
    (
        DocumentKind::Decisions,
        rule(
            "proposals",
            &[Who::Owner, Who::Role(Role::Facilitator)],
            FACILITATORS,
        ),
    ),
    (
        DocumentKind::Decisions,
        rule("votes", &[Who::Owner], &[Who::Owner]),
    ),
    (
        DocumentKind::Decisions,
        rule("resolutions", FACILITATORS, FACILITATORS),
    ),
];

const fn rule(collection: &'static str, create: &'static [Who], change: &'static [Who]) -> Rule {
    Rule {
        collection,
        create,
        change,
    }
}

/// The policy row for a collection of a kind of document, if it has one.
pub fn rule_for(kind: DocumentKind, collection: &str) -> Option<Rule> {
    POLICY
        .iter()
        .find(|(row_kind, rule)| *row_kind == kind && rule.collection == collection)
        .map(|(_, rule)| *rule)
}

/// What one device may do, as the `campaign` document says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Author {
    pub device_id: String,
    pub label: String,
    pub member_id: Option<String>,
    pub roles: BTreeSet<Role>,
    pub signing_key: Option<String>,
    pub revoked: bool,
    /// For a revoked device: per document, the last sequence number of its
    /// changes that stay.
    pub cover: BTreeMap<String, i64>,
    /// Roles taken from the device's member, each with this device's
    /// cover: per document, the last sequence number of its changes that
    /// keep the role. Not in `roles`.
    pub demoted: BTreeMap<Role, BTreeMap<String, i64>>,
}

impl Author {
    /// A device's authority: the role it was paired with and its member's roles.
    pub fn of(device: &Device, member: Option<&Member>) -> Self {
        let mut roles: BTreeSet<Role> = BTreeSet::from([device.role]);
        let mut demoted = BTreeMap::new();
        if let Some(member) = member {
            roles.extend(member.roles.iter().copied());
            // A role taken from the member is taken from the role the
            // device was paired with too, past the device's cover.
            for (role, covers) in member.taken_roles() {
                roles.remove(&role);
                demoted.insert(role, covers.get(&device.id).cloned().unwrap_or_default());
            }
        }
        Author {
            device_id: device.id.clone(),
            label: device.label.clone(),
            member_id: device.member_id.clone(),
            roles,
            signing_key: device.signing_key.clone(),
            revoked: device.is_revoked(),
            cover: device.revoked_cover.clone().unwrap_or_default(),
            demoted,
        }
    }

    /// The authority a change of this device carries: its roles now, and
    /// every role taken away since whose cover reaches the change's
    /// sequence number in `document`.
    pub fn at(&self, document: &str, seq: u64) -> std::borrow::Cow<'_, Author> {
        let seq = i64::try_from(seq).unwrap_or(i64::MAX);
        let kept: Vec<Role> = self
            .demoted
            .iter()
            .filter(|(_, cover)| cover.get(document).is_some_and(|last| seq <= *last))
            .map(|(role, _)| *role)
            .collect();
        if kept.is_empty() {
            return std::borrow::Cow::Borrowed(self);
        }
        let mut author = self.clone();
        author.roles.extend(kept);
        std::borrow::Cow::Owned(author)
    }

    /// The changes of this device in `document` that the roles taken from
    /// it no longer cover start after this sequence number; none when no
    /// role was taken.
    pub fn demoted_after(&self, document: &str) -> Option<u64> {
        self.demoted
            .values()
            .map(|cover| cover.get(document).copied().unwrap_or(0))
            .min()
            .map(|last| u64::try_from(last).unwrap_or(0))
    }

    pub fn is_steward(&self) -> bool {
        !self.revoked && self.roles.contains(&Role::Steward)
    }

    fn holds(&self, role: Role) -> bool {
        !self.revoked && (self.roles.contains(&role) || self.roles.contains(&Role::Steward))
    }
}

/// Every paired device's authority, by Automerge actor.
#[derive(Debug, Clone, Default)]
pub struct Authors {
    by_actor: HashMap<ActorId, Author>,
}

impl Authors {
    pub fn new(authors: impl IntoIterator<Item = Author>) -> Self {
        Authors {
            by_actor: authors
                .into_iter()
                .filter_map(|author| Some((actor_of(&author.device_id)?, author)))
                .collect(),
        }
    }

    /// A campaign with no device list yet (one device on its own, never
    /// paired with another): nothing to check against, and nothing arrives
    /// by sync.
    pub fn is_open(&self) -> bool {
        self.by_actor.is_empty()
    }

    pub fn get(&self, actor: &ActorId) -> Option<&Author> {
        self.by_actor.get(actor)
    }

    pub fn all(&self) -> impl Iterator<Item = &Author> {
        self.by_actor.values()
    }

    pub fn by_device(&self, device_id: &str) -> Option<&Author> {
        self.get(&actor_of(device_id)?)
    }
}

/// The Automerge actor of a device: its id's sixteen bytes.
pub fn actor_of(device_id: &str) -> Option<ActorId> {
    let id = uuid::Uuid::parse_str(device_id).ok()?;
    Some(ActorId::from(id.as_bytes().as_slice()))
}

/// The device (by actor) that created a record: the actor of the record's
/// object, which no later write can change.
pub fn creator_of(doc: &AutoCommit, collection: &str, record: &str) -> Option<ActorId> {
    let (Value::Object(ObjType::Map), collection) = doc.get(ROOT, collection).ok()?? else {
        return None;
    };
    match doc.get(&collection, record).ok()?? {
        (Value::Object(ObjType::Map), automerge::ObjId::Id(_, actor, _)) => Some(actor),
        _ => None,
    }
}

/// Why a change was refused, in words for the log and for stewards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    UnknownDevice,
    NoSigningKey {
        device: String,
    },
    Unsigned {
        device: String,
    },
    BadSignature {
        device: String,
    },
    Revoked {
        device: String,
    },
    NotAllowed {
        device: String,
        collection: String,
        record: String,
        reason: String,
    },
    Malformed(String),
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::UnknownDevice => {
                write!(
                    formatter,
                    "it was written by a device this campaign never paired"
                )
            }
            Refusal::NoSigningKey { device } => write!(
                formatter,
                "it was written by {device}, which has no signing key in the campaign"
            ),
            Refusal::Unsigned { device } => {
                write!(
                    formatter,
                    "it claims to be from {device} but carries no signature"
                )
            }
            Refusal::BadSignature { device } => write!(
                formatter,
                "it claims to be from {device} but its signature does not match that device's key"
            ),
            Refusal::Revoked { device } => write!(
                formatter,
                "it was written by {device} after that device was revoked"
            ),
            Refusal::NotAllowed {
                device,
                collection,
                record,
                reason,
            } => write!(
                formatter,
                "{device} may not write {collection} {record}: {reason}"
            ),
            Refusal::Malformed(reason) => write!(formatter, "it is not a Holdfast edit: {reason}"),
        }
    }
}

/// The records a change touched, as the door read them from its
/// operations, or `None` where the door had no need to read them (a
/// document's first change, a campaign with no device list, a revoked
/// device's change its revocation covers).
pub type Touched = Option<BTreeSet<(String, String)>>;

/// The door for a change from another device. `doc` already holds the
/// change (applied in memory, not yet saved); `signature` is the one that
/// travelled with it, if any. An admitted change's touched records come
/// back, so the caller re-projects those alone without asking Automerge
/// for a diff, which walks the whole document.
pub fn check(
    doc: &AutoCommit,
    document: &DocumentId,
    change: &Change,
    signature: Option<&[u8]>,
    authors: &Authors,
) -> Result<Touched, Refusal> {
    if is_genesis(document, change) {
        return Ok(None);
    }
    if authors.is_open() {
        return Ok(None);
    }
    let author = authors
        .get(change.actor_id())
        .ok_or(Refusal::UnknownDevice)?;
    let device = author.label.clone();
    let key = author
        .signing_key
        .as_deref()
        .ok_or_else(|| Refusal::NoSigningKey {
            device: device.clone(),
        })?;
    let signature = signature.ok_or_else(|| Refusal::Unsigned {
        device: device.clone(),
    })?;
    if !signing::verify(key, &change.hash(), signature) {
        return Err(Refusal::BadSignature { device });
    }
    if author.revoked {
        let covered = author.cover.get(document.as_str()).copied().unwrap_or(0);
        if i64::try_from(change.seq()).unwrap_or(i64::MAX) > covered {
            return Err(Refusal::Revoked { device });
        }
        // Accepted before the revocation, by the steward who revoked it.
        return Ok(None);
    }
    check_policy(
        doc,
        document,
        change,
        &author.at(document.as_str(), change.seq()),
    )
    .map(Some)
}

/// Whether `author` may have made `change` (already in `doc`): every record
/// it touches, judged before and after it. Returns those records.
pub fn check_policy(
    doc: &AutoCommit,
    document: &DocumentId,
    change: &Change,
    author: &Author,
) -> Result<BTreeSet<(String, String)>, Refusal> {
    let kind = document
        .kind()
        .map_err(|error| Refusal::Malformed(error.to_string()))?;
    let touched = touched_records(doc, kind, change)?;
    for (collection, record) in &touched {
        check_record(doc, document, collection, record, change, author)?;
    }
    Ok(touched)
}

/// Whether a change is the document's deterministic first change.
fn is_genesis(document: &DocumentId, change: &Change) -> bool {
    if !change.deps().is_empty() || change.seq() != 1 {
        return false;
    }
    crate::documents::genesis(document)
        .map(|mut genesis| genesis.get_heads() == [change.hash()])
        .unwrap_or(false)
}

/// The (collection, record id) pairs a change writes, read from its
/// operations (the change must be in `doc`). Anything outside a known
/// collection's records is refused.
pub fn touched_records(
    doc: &AutoCommit,
    kind: DocumentKind,
    change: &Change,
) -> Result<BTreeSet<(String, String)>, Refusal> {
    use automerge::legacy::{Key, ObjectId};
    let expanded = change.decode();
    let mut touched = BTreeSet::new();
    let mut places: HashMap<String, Place> = HashMap::new();
    for op in &expanded.operations {
        let ObjectId::Id(object) = &op.obj else {
            return Err(Refusal::Malformed(
                "it writes at the top of the document".into(),
            ));
        };
        let name = format!("{}@{}", object.0, object.1.to_hex_string());
        let place = match places.get(&name) {
            Some(place) => place.clone(),
            None => {
                let place = place_of(doc, &name)?;
                places.insert(name, place.clone());
                place
            }
        };
        let (collection, record) = match place {
            Place::Collection(collection) => match &op.key {
                Key::Map(record) => (collection, record.to_string()),
                Key::Seq(_) => {
                    return Err(Refusal::Malformed(format!(
                        "it treats the `{collection}` collection as a list"
                    )))
                }
            },
            Place::Record(collection, record) => (collection, record),
        };
        if !kind.collections().contains(&collection.as_str()) {
            return Err(Refusal::Malformed(format!(
                "`{collection}` is not a collection of this document"
            )));
        }
        touched.insert((collection, record));
    }
    Ok(touched)
}

#[derive(Clone)]
enum Place {
    /// The object is a collection map: its keys are record ids.
    Collection(String),
    /// The object is a record, or lies inside one.
    Record(String, String),
}

fn place_of(doc: &AutoCommit, name: &str) -> Result<Place, Refusal> {
    let unknown = || Refusal::Malformed(format!("it writes into an object ({name}) it never made"));
    let object = doc.import_obj(name).map_err(|_| unknown())?;
    let mut path: Vec<automerge::Prop> = doc
        .parents(&object)
        .map_err(|_| unknown())?
        .map(|parent| parent.prop)
        .collect();
    path.reverse();
    let key = |prop: &automerge::Prop| match prop {
        automerge::Prop::Map(key) => Ok(key.clone()),
        automerge::Prop::Seq(_) => Err(Refusal::Malformed(
            "it writes into a list where a collection belongs".into(),
        )),
    };
    match path.as_slice() {
        [] => Err(unknown()),
        [collection] => Ok(Place::Collection(key(collection)?)),
        [collection, record, ..] => Ok(Place::Record(key(collection)?, key(record)?)),
    }
}

/// A record as it stood at some heads: the policy reads its fields one at
/// a time, only those its rule needs, because every read at past heads
/// makes Automerge work out which operations those heads saw.
struct View<'a> {
    doc: &'a AutoCommit,
    object: automerge::ObjId,
    heads: &'a [ChangeHash],
}

impl View<'_> {
    /// The device that created the record (its object's actor).
    fn creator(&self) -> Option<&ActorId> {
        match &self.object {
            automerge::ObjId::Id(_, actor, _) => Some(actor),
            automerge::ObjId::Root => None,
        }
    }

    fn int(&self, field: &str) -> Option<i64> {
        let (value, _) = self.doc.get_at(&self.object, field, self.heads).ok()??;
        scalar_int(&value)
    }

    /// The number of items in a list or map field.
    fn length(&self, field: &str) -> Option<usize> {
        match self.doc.get_at(&self.object, field, self.heads).ok()?? {
            (Value::Object(_), object) => Some(self.doc.length_at(&object, self.heads)),
            _ => None,
        }
    }

    /// Whether a field is missing, null, or an empty list or map.
    fn is_empty_or_absent(&self, field: &str) -> bool {
        match self.doc.get_at(&self.object, field, self.heads) {
            Ok(None) => true,
            Ok(Some((Value::Scalar(scalar), _))) => scalar.is_null(),
            Ok(Some((Value::Object(_), _))) => self.length(field) == Some(0),
            Err(_) => false,
        }
    }

    fn text(&self, field: &str) -> Option<String> {
        let (value, _) = self.doc.get_at(&self.object, field, self.heads).ok()??;
        scalar_text(&value)
    }

    /// A map field as a record of its own (a nested value such as a
    /// proposal's closing).
    fn child(&self, field: &str) -> Option<View<'_>> {
        match self.doc.get_at(&self.object, field, self.heads).ok()?? {
            (Value::Object(ObjType::Map), object) => Some(View {
                doc: self.doc,
                object,
                heads: self.heads,
            }),
            _ => None,
        }
    }

    /// The items of a list field, each as `read` takes it; none if the
    /// field is not a list or an item does not read.
    fn list<T>(&self, field: &str, read: fn(&Value) -> Option<T>) -> Option<Vec<T>> {
        let (Value::Object(ObjType::List), list) =
            self.doc.get_at(&self.object, field, self.heads).ok()??
        else {
            return None;
        };
        (0..self.doc.length_at(&list, self.heads))
            .map(|index| {
                let (value, _) = self.doc.get_at(&list, index, self.heads).ok()??;
                read(&value)
            })
            .collect()
    }
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::Scalar(scalar) => match scalar.as_ref() {
            automerge::ScalarValue::Str(text) => Some(text.to_string()),
            _ => None,
        },
        _ => None,
    }
}

/// An integer; an unsigned one past `i64` reads as `i64::MAX`, so that an
/// amount too large to keep is still seen as too large.
fn scalar_int(value: &Value) -> Option<i64> {
    match value {
        Value::Scalar(scalar) => match scalar.as_ref() {
            automerge::ScalarValue::Int(value) => Some(*value),
            automerge::ScalarValue::Uint(value) => Some(i64::try_from(*value).unwrap_or(i64::MAX)),
            _ => None,
        },
        _ => None,
    }
}

fn view<'a>(
    doc: &'a AutoCommit,
    collection: &str,
    record: &str,
    heads: &'a [ChangeHash],
) -> Option<View<'a>> {
    // Collections are made by the genesis change, so every history has
    // them: the current one is the one at any heads.
    let (Value::Object(ObjType::Map), collection) = doc.get(ROOT, collection).ok()?? else {
        return None;
    };
    let (Value::Object(ObjType::Map), object) = doc.get_at(&collection, record, heads).ok()??
    else {
        return None;
    };
    Some(View { doc, object, heads })
}

fn check_record(
    doc: &AutoCommit,
    document: &DocumentId,
    collection: &str,
    record: &str,
    change: &Change,
    author: &Author,
) -> Result<(), Refusal> {
    let refuse = |reason: &str| Refusal::NotAllowed {
        device: author.label.clone(),
        collection: collection.to_string(),
        record: record.to_string(),
        reason: reason.to_string(),
    };
    let kind = document
        .kind()
        .map_err(|error| Refusal::Malformed(error.to_string()))?;
    let rule = rule_for(kind, collection).ok_or_else(|| refuse("no one may write it"))?;
    let change_heads = [change.hash()];
    let before = view(doc, collection, record, change.deps());
    let after = view(doc, collection, record, &change_heads);
    if let Some(after) = &after {
        if after.text("id").is_some_and(|id| id != record) {
            return Err(refuse("its id field names another record"));
        }
    }
    if collection == "devices" {
        check_device(before.as_ref(), after.as_ref()).map_err(&refuse)?;
    }
    if kind == DocumentKind::Decisions {
        check_decision(
            doc,
            collection,
            before.as_ref(),
            after.as_ref(),
            change,
            author,
        )
        .map_err(|reason| refuse(&reason))?;
    }
    if let Some(member) = document
        .arrivals_member()
        .filter(|_| collection == <crate::model::CheckIn as crate::Record>::COLLECTION)
    {
        check_arrival(member, before.as_ref(), after.as_ref()).map_err(&refuse)?;
    }
    // An amount past what Holdfast keeps would wrap sums round on every
    // device that added it up; nobody may write one, stewards included.
    if let Some(amount) = after.as_ref().and_then(|after| after.int("amount_cents")) {
        if !crate::model::amount_in_range(amount) {
            return Err(refuse("its amount is larger than any entry may hold"));
        }
    }
    if author.is_steward() {
        return Ok(());
    }
    if author.revoked {
        return Err(refuse("the device was revoked"));
    }
    let Some(after) = after else {
        return Err(refuse("only a steward's device removes records"));
    };
    let (allowed, action) = match &before {
        None => (rule.create, "create"),
        Some(_) => (rule.change, "change"),
    };
    let author_actor = actor_of(&author.device_id);
    let permits = |who: &Who| match who {
        Who::Role(role) => author.holds(*role),
        Who::Owner => {
            author.member_id.is_some()
                && after.text("member_id") == author.member_id
                && before
                    .as_ref()
                    .is_none_or(|before| before.text("member_id") == author.member_id)
        }
        Who::Creator => after.creator().is_some() && after.creator() == author_actor.as_ref(),
        Who::Anyone => before.is_none(),
        Who::Contributor => {
            before.is_none() && after.text("kind").as_deref() == Some("contribution")
        }
        Who::WalkInBy(role) => {
            before.is_none()
                && author.holds(*role)
                && after.text("walk_in_action_id").is_some()
                && after.text("merged_into").is_none()
                && after.length("roles") == Some(0)
                && after.length("teaches") == Some(0)
                && after.is_empty_or_absent("demotions")
        }
    };
    if allowed.iter().any(permits) {
        return Ok(());
    }
    Err(refuse(&format!(
        "its roles ({}) do not let it {action} such a record",
        author
            .roles
            .iter()
            .map(|role| role.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    )))
}

/// A check-in in an arrivals document names that document's member, before
/// and after, and an action: otherwise a member's arrivals could carry
/// someone else's, and reach phones that were never meant to hold them.
/// This holds for stewards' devices too.
fn check_arrival(
    member: &str,
    before: Option<&View>,
    after: Option<&View>,
) -> Result<(), &'static str> {
    if before.is_some_and(|before| before.text("member_id").as_deref() != Some(member)) {
        return Err("it belongs to another member's arrivals");
    }
    if let Some(after) = after {
        if after.text("member_id").as_deref() != Some(member) {
            return Err("it names a member other than the one whose arrivals these are");
        }
        if after.text("action_id").is_none() {
            return Err("it names no action");
        }
    }
    Ok(())
}

/// Rules on proposals and votes that hold for every device, stewards'
/// included, because a decision is only worth what its count is worth:
///
/// * a proposal has at least two distinct options, which never change, and
///   once closed it never changes again;
/// * a closing names the closing device's own member (a steward's device
///   may name the member a hall browser acts for), and its count is
///   exactly the votes the closing device held (the
///   votes at the change's own causal past, counted by
///   [`crate::rules::decisions::tally`]), so no device can record a result
///   its votes do not give;
/// * a vote names a proposal, and one of its options, that its device had
///   seen, open, when it was cast (at the change's causal past), before the
///   proposal's closing time, and it never moves to another proposal or
///   member.
fn check_decision(
    doc: &AutoCommit,
    collection: &str,
    before: Option<&View>,
    after: Option<&View>,
    change: &Change,
    author: &Author,
) -> Result<(), String> {
    let Some(after) = after else {
        return Ok(());
    };
    match collection {
        "proposals" => {
            let options = after
                .list("options", scalar_text)
                .ok_or("its options are not a list of words")?;
            let distinct: BTreeSet<&String> = options.iter().collect();
            if options.len() < 2 || distinct.len() != options.len() {
                return Err("a proposal needs at least two different options".into());
            }
            let closing = after.child("closing");
            let Some(before) = before else {
                if closing.is_some() {
                    return Err("a proposal is closed after it is put, not as it is put".into());
                }
                return Ok(());
            };
            if before.child("closing").is_some() {
                return Err("a closed proposal never changes".into());
            }
            if before.list("options", scalar_text) != Some(options.clone()) {
                return Err("a proposal's options never change once it is put".into());
            }
            let Some(closing) = closing else {
                return Ok(());
            };
            // Who closed it is the device's own member, except on a
            // steward's device, which closes for the hall browser's member.
            if !author.is_steward() && closing.text("by") != author.member_id {
                return Err("its closing names someone other than its device's member".into());
            }
            let counts = closing
                .list("counts", scalar_int)
                .ok_or("its closing has no count")?;
            let proposal_id = after.text("id").unwrap_or_default();
            let votes = votes_at(doc, change.deps());
            let tally = crate::rules::decisions::count(&proposal_id, &options, &votes);
            if counts != tally.counts || closing.text("outcome") != tally.outcome {
                return Err(format!(
                    "its closing records {counts:?} but the votes its device held give {:?}",
                    tally.counts
                ));
            }
            Ok(())
        }
        "votes" => {
            let proposal_id = after.text("proposal_id").ok_or("it names no proposal")?;
            if let Some(before) = before {
                if before.text("proposal_id").as_deref() != Some(proposal_id.as_str())
                    || before.text("member_id") != after.text("member_id")
                {
                    return Err("a vote never moves to another proposal or member".into());
                }
            }
            let proposal = view(doc, "proposals", &proposal_id, change.deps())
                .ok_or("it names a proposal its device had not seen")?;
            if proposal.child("closing").is_some() {
                return Err("the proposal was closed before this vote was cast".into());
            }
            let choice = after.text("choice").unwrap_or_default();
            if !proposal
                .list("options", scalar_text)
                .unwrap_or_default()
                .contains(&choice)
            {
                return Err(format!("`{choice}` is not one of the proposal's options"));
            }
            let cast_at = after.text("cast_at").unwrap_or_default();
            if crate::time::parse_instant(&cast_at).is_err() {
                return Err("its time of casting is not a time".into());
            }
            if let Some(closes_at) = proposal.text("closes_at") {
                if cast_at >= closes_at {
                    return Err(format!(
                        "it was cast at or after the vote closed ({closes_at})"
                    ));
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Every vote record as it stood at `heads`.
fn votes_at(doc: &AutoCommit, heads: &[ChangeHash]) -> Vec<crate::model::Vote> {
    let Ok(Some((Value::Object(ObjType::Map), votes))) = doc.get(ROOT, "votes") else {
        return Vec::new();
    };
    doc.keys_at(&votes, heads)
        .filter_map(|id| {
            let vote = view(doc, "votes", &id, heads)?;
            Some(crate::model::Vote {
                id,
                proposal_id: vote.text("proposal_id")?,
                member_id: vote.text("member_id")?,
                choice: vote.text("choice")?,
                cast_at: vote.text("cast_at")?,
            })
        })
        .collect()
}

/// Rules on device records that hold even for stewards: a device's keys
/// and member never change once written (a record cannot be taken over),
/// a revocation is never undone, and no device record is ever removed. The
/// one change of member allowed is to none, when the record is revoked too
/// (erasing the member).
fn check_device(before: Option<&View>, after: Option<&View>) -> Result<(), &'static str> {
    let Some(before) = before else {
        return Ok(());
    };
    let Some(after) = after else {
        return Err("a device record is never removed");
    };
    let revoked_after = after.text("revoked_at");
    if before.text("revoked_at").is_some() && revoked_after.is_none() {
        return Err("a revocation cannot be undone");
    }
    let signing_before = before.text("signing_key");
    if before.text("public_key") != after.text("public_key")
        || (signing_before.is_some() && signing_before != after.text("signing_key"))
    {
        return Err("a paired device's keys never change");
    }
    // Erasing a member revokes their devices and forgets whose they were.
    let member_before = before.text("member_id");
    let member_after = after.text("member_id");
    let erased = member_after.is_none() && revoked_after.is_some();
    if member_before.is_some() && member_before != member_after && !erased {
        return Err("a paired device's member never changes");
    }
    Ok(())
}
