//! Who gets a place at the hub, and who gives theirs up.
//!
//! The hub serves a fixed number of connections at once (its places). A
//! connection that has not yet proved who it is keeps its place only until
//! someone else needs it:
//!
//! * When every place is taken, a newcomer takes the place of the oldest
//!   connection still in its handshake. Only when every place is held by a
//!   device that proved its key is the newcomer told the hub is busy.
//! * One address may hold only so many places in the handshake at once.
//!   Past that, its own oldest handshake gives way, so a stranger flooding
//!   the hub from one machine pushes out its own sockets and nobody else's.
//! * A device may run only so many syncs at once.
//! * Unfinished messages (pieces received, the end not yet) stay under a
//!   budget per device and a budget for the whole hub. When a piece would
//!   pass either, the connection holding the most (of that device, or of
//!   everyone) gives way.
//!
//! An honest handshake takes one round trip, so it is rarely the oldest.
//! The door is plain bookkeeping behind a mutex; the hub's connection tasks
//! call it and watch their place's `GiveWay` while they wait on the socket.

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::sync::{Arc, Mutex, OnceLock};

use tokio::sync::Notify;

/// What a connection that gave its place up is told.
pub(crate) const BUSY: &str = "the hub is busy; try again in a minute";
const SHORT_OF_MEMORY: &str =
    "the hub is holding too many unfinished messages; try again in a minute";
const DEVICE_SHORT_OF_MEMORY: &str =
    "this device is sending more unfinished messages at once than the hub keeps for one device";

/// How many places there are and how they are shared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DoorLimits {
    /// Connections served at once.
    pub places: usize,
    /// Connections from one address still in their handshake.
    pub handshakes_per_address: usize,
    /// Syncs one device may run at once.
    pub syncs_per_device: usize,
    /// Unfinished message bytes held for all connections together.
    pub buffered_bytes: usize,
    /// Unfinished message bytes held for one device's connections together.
    pub buffered_bytes_per_device: usize,
}

impl Default for DoorLimits {
    fn default() -> Self {
        DoorLimits {
            // Well under the usual limit of 1,024 open files per process.
            places: 512,
            // Phones at the hall each have their own address; 64 leaves room
            // for a crowd behind one router.
            handshakes_per_address: 64,
            // A phone syncs once at a time; a retry may overlap a connection
            // the hub has not yet seen close.
            syncs_per_device: 4,
            buffered_bytes: 256 * 1024 * 1024,
            // One largest message (32 MiB) and some.
            buffered_bytes_per_device: 40 * 1024 * 1024,
        }
    }
}

/// Why a newcomer was not let in, or a device's extra sync was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// Every place is held by a device that proved its key.
    Busy,
    /// This device already runs as many syncs as it may.
    DeviceBusy(usize),
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Busy => formatter.write_str(BUSY),
            Refusal::DeviceBusy(count) => write!(
                formatter,
                "this device already has {count} syncs running at the hub; wait for them to finish"
            ),
        }
    }
}

/// Set when a connection must give its place up, with the reason it is told.
#[derive(Default)]
pub(crate) struct GiveWay {
    reason: OnceLock<&'static str>,
    notify: Notify,
}

impl GiveWay {
    fn ask(&self, reason: &'static str) {
        let _ = self.reason.set(reason);
        self.notify.notify_one();
    }

    /// Resolves once the connection was asked to give way; returns why.
    pub(crate) async fn asked(&self) -> &'static str {
        loop {
            if let Some(reason) = self.reason.get() {
                return reason;
            }
            self.notify.notified().await;
        }
    }
}

/// The hub's places.
pub(crate) struct Door {
    limits: DoorLimits,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    next: u64,
    /// Every held place, oldest first.
    held: BTreeMap<u64, Holder>,
    handshakes_from: HashMap<IpAddr, usize>,
    syncs_of: HashMap<String, usize>,
    /// Unfinished bytes per device, over all its connections.
    buffered_of: HashMap<String, usize>,
    buffered: usize,
}

struct Holder {
    address: IpAddr,
    /// The device's key once it proved it; `None` during the handshake.
    device: Option<String>,
    buffered: usize,
    give_way: Arc<GiveWay>,
}

/// One connection's place, given back when dropped.
pub(crate) struct Place {
    door: Arc<Door>,
    id: u64,
    authenticated: bool,
    pub(crate) give_way: Arc<GiveWay>,
}

impl Door {
    pub(crate) fn new(limits: DoorLimits) -> Arc<Self> {
        Arc::new(Door {
            limits,
            state: Mutex::new(State::default()),
        })
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // The bookkeeping stays consistent under a panic elsewhere: every
        // change to it is made whole before the lock is released.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A place for a new connection from `address`, taken from the oldest
    /// handshake if need be.
    pub(crate) fn admit(self: &Arc<Self>, address: IpAddr) -> Result<Place, Refusal> {
        let mut state = self.state();
        let from_here = state.handshakes_from.get(&address).copied().unwrap_or(0);
        if from_here >= self.limits.handshakes_per_address {
            let oldest = state.oldest_handshake(|holder| holder.address == address);
            if let Some(id) = oldest {
                state.release(id, Some(BUSY));
            }
        }
        if state.held.len() >= self.limits.places {
            match state.oldest_handshake(|_| true) {
                Some(id) => state.release(id, Some(BUSY)),
                None => return Err(Refusal::Busy),
            }
        }
        let id = state.next;
        state.next += 1;
        let give_way = Arc::new(GiveWay::default());
        state.held.insert(
            id,
            Holder {
                address,
                device: None,
                buffered: 0,
                give_way: give_way.clone(),
            },
        );
        *state.handshakes_from.entry(address).or_default() += 1;
        Ok(Place {
            door: self.clone(),
            id,
            authenticated: false,
            give_way,
        })
    }
}

impl State {
    fn oldest_handshake(&self, matches: impl Fn(&Holder) -> bool) -> Option<u64> {
        self.held
            .iter()
            .find(|(_, holder)| holder.device.is_none() && matches(holder))
            .map(|(id, _)| *id)
    }

    /// Frees a place; `reason` set means its connection is asked to go.
    fn release(&mut self, id: u64, reason: Option<&'static str>) {
        let Some(holder) = self.held.remove(&id) else {
            return;
        };
        self.buffered -= holder.buffered;
        if let Some(device) = &holder.device {
            if let Some(bytes) = self.buffered_of.get_mut(device) {
                *bytes -= holder.buffered;
                if *bytes == 0 {
                    self.buffered_of.remove(device);
                }
            }
        }
        let count = match &holder.device {
            None => self.handshakes_from.get_mut(&holder.address),
            Some(device) => self.syncs_of.get_mut(device),
        };
        if let Some(count) = count {
            *count -= 1;
        }
        self.handshakes_from.retain(|_, count| *count > 0);
        self.syncs_of.retain(|_, count| *count > 0);
        if let Some(reason) = reason {
            holder.give_way.ask(reason);
        }
    }

    /// The held place with the most unfinished bytes among those matching.
    fn largest(&self, matches: impl Fn(&Holder) -> bool) -> Option<u64> {
        self.held
            .iter()
            .filter(|(_, holder)| holder.buffered > 0 && matches(holder))
            .max_by_key(|(_, holder)| holder.buffered)
            .map(|(id, _)| *id)
    }
}

impl Place {
    /// The connection's device proved its key. Refused if that device
    /// already runs as many syncs as it may.
    pub(crate) fn authenticated(&mut self, device_key: &str) -> Result<(), Refusal> {
        if self.authenticated {
            return Ok(());
        }
        let limit = self.door.limits.syncs_per_device;
        let mut state = self.door.state();
        let running = state.syncs_of.get(device_key).copied().unwrap_or(0);
        if running >= limit {
            return Err(Refusal::DeviceBusy(running));
        }
        let Some(holder) = state.held.get_mut(&self.id) else {
            // Given away meanwhile; the connection is about to see it.
            return Ok(());
        };
        holder.device = Some(device_key.to_string());
        let address = holder.address;
        let buffered = holder.buffered;
        *state.buffered_of.entry(device_key.to_string()).or_default() += buffered;
        if let Some(count) = state.handshakes_from.get_mut(&address) {
            *count -= 1;
        }
        state.handshakes_from.retain(|_, count| *count > 0);
        *state.syncs_of.entry(device_key.to_string()).or_default() += 1;
        self.authenticated = true;
        Ok(())
    }

    /// How many unfinished message bytes the connection now holds. Asks
    /// the largest holders to give way while a budget is passed; that may be
    /// this connection.
    pub(crate) fn holding(&self, bytes: usize) {
        let limits = self.door.limits;
        let mut state = self.door.state();
        let Some(holder) = state.held.get_mut(&self.id) else {
            return;
        };
        let before = std::mem::replace(&mut holder.buffered, bytes);
        let device = holder.device.clone();
        state.buffered = state.buffered - before + bytes;
        if let Some(device) = device {
            let of_device = state.buffered_of.entry(device.clone()).or_default();
            *of_device = *of_device - before + bytes;
            loop {
                let total = state.buffered_of.get(&device).copied().unwrap_or(0);
                if total <= limits.buffered_bytes_per_device {
                    break;
                }
                let of_device = |holder: &Holder| holder.device.as_deref() == Some(&device);
                match state.largest(of_device) {
                    Some(id) => state.release(id, Some(DEVICE_SHORT_OF_MEMORY)),
                    None => break,
                }
            }
        }
        while state.buffered > limits.buffered_bytes {
            match state.largest(|_| true) {
                Some(id) => state.release(id, Some(SHORT_OF_MEMORY)),
                None => break,
            }
        }
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        self.door.state().release(self.id, None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> DoorLimits {
        DoorLimits {
            places: 4,
            handshakes_per_address: 2,
            syncs_per_device: 2,
            buffered_bytes: 100,
            buffered_bytes_per_device: 60,
        }
    }

    fn address(last: u8) -> IpAddr {
        IpAddr::from([10, 0, 0, last])
    }

    fn asked(place: &Place) -> Option<&'static str> {
        place.give_way.reason.get().copied()
    }

    fn held(door: &Door) -> usize {
        door.state().held.len()
    }

    #[test]
    fn a_full_hub_takes_the_place_of_the_oldest_handshake_not_of_a_device() {
        let door = Door::new(limits());
        let mut first = door.admit(address(1)).unwrap();
        first.authenticated("phone-a").unwrap();
        let second = door.admit(address(2)).unwrap();
        let third = door.admit(address(3)).unwrap();
        let fourth = door.admit(address(4)).unwrap();
        let fifth = door.admit(address(5)).unwrap();
        assert_eq!(asked(&first), None, "a device that proved its key stays");
        assert_eq!(asked(&second), Some(BUSY), "the oldest handshake gives way");
        assert_eq!(asked(&third), None);
        assert_eq!(asked(&fourth), None);
        assert_eq!(asked(&fifth), None);
        assert_eq!(held(&door), 4);

        let mut places = vec![third, fourth, fifth];
        for (index, place) in places.iter_mut().enumerate() {
            place.authenticated(&format!("phone-{index}")).unwrap();
        }
        assert_eq!(door.admit(address(6)).err(), Some(Refusal::Busy));
        drop(places.pop());
        assert!(
            door.admit(address(6)).is_ok(),
            "a freed place is given again"
        );
    }

    #[test]
    fn one_address_pushes_out_only_its_own_handshakes() {
        let door = Door::new(limits());
        let other = door.admit(address(9)).unwrap();
        let mut flood = Vec::new();
        for _ in 0..10 {
            flood.push(door.admit(address(1)).unwrap());
        }
        assert_eq!(asked(&other), None, "another address keeps its place");
        let still_held = flood.iter().filter(|place| asked(place).is_none()).count();
        assert_eq!(still_held, 2, "the flooding address holds its limit");
        assert_eq!(held(&door), 3);
        assert_eq!(door.state().handshakes_from[&address(1)], 2);
    }

    #[test]
    fn a_device_runs_a_limited_number_of_syncs() {
        let door = Door::new(limits());
        let mut places: Vec<Place> = (1..=3)
            .map(|last| door.admit(address(last)).unwrap())
            .collect();
        places[0].authenticated("phone-a").unwrap();
        places[1].authenticated("phone-a").unwrap();
        assert_eq!(
            places[2].authenticated("phone-a"),
            Err(Refusal::DeviceBusy(2))
        );
        places.remove(0);
        assert_eq!(places[1].authenticated("phone-a"), Ok(()));
    }

    #[test]
    fn unfinished_messages_stay_under_the_budgets() {
        let door = Door::new(limits());
        let mut places: Vec<Place> = (1..=4)
            .map(|last| door.admit(address(last)).unwrap())
            .collect();
        places[0].authenticated("phone-a").unwrap();
        places[1].authenticated("phone-a").unwrap();
        places[2].authenticated("phone-b").unwrap();
        places[3].authenticated("phone-c").unwrap();

        // One device over its own share: its largest connection goes.
        places[0].holding(40);
        places[1].holding(30);
        assert_eq!(asked(&places[0]), Some(DEVICE_SHORT_OF_MEMORY));
        assert_eq!(asked(&places[1]), None);
        assert_eq!(door.state().buffered, 30);
        assert_eq!(door.state().buffered_of["phone-a"], 30);

        // The whole hub over its budget: the largest holder anywhere goes.
        places[2].holding(55);
        places[3].holding(20);
        assert_eq!(asked(&places[2]), Some(SHORT_OF_MEMORY));
        assert_eq!(asked(&places[3]), None);
        assert_eq!(door.state().buffered, 50);

        // A finished message frees its bytes.
        places[1].holding(0);
        assert_eq!(door.state().buffered, 20);
        drop(places);
        let state = door.state();
        assert!(state.held.is_empty() && state.syncs_of.is_empty());
        assert!(state.buffered_of.is_empty());
        assert_eq!(state.buffered, 0);
    }

    #[test]
    fn bytes_held_during_the_handshake_count_for_the_device_once_it_is_known() {
        let door = Door::new(limits());
        let mut first = door.admit(address(1)).unwrap();
        let mut second = door.admit(address(2)).unwrap();
        first.holding(35);
        second.holding(35);
        assert!(door.state().buffered_of.is_empty());
        first.authenticated("phone-a").unwrap();
        assert_eq!(door.state().buffered_of["phone-a"], 35);
        second.authenticated("phone-a").unwrap();
        assert_eq!(door.state().buffered_of["phone-a"], 70);
        // Over the device's share only at its next report.
        second.holding(36);
        assert_eq!(asked(&second), Some(DEVICE_SHORT_OF_MEMORY));
        assert_eq!(asked(&first), None);
        assert_eq!(door.state().buffered_of["phone-a"], 35);
    }

    #[tokio::test]
    async fn a_connection_learns_why_it_must_give_way() {
        let door = Door::new(limits());
        let first = door.admit(address(1)).unwrap();
        let waiting = first.give_way.clone();
        let _second = door.admit(address(1)).unwrap();
        let _third = door.admit(address(1)).unwrap();
        let reason = tokio::time::timeout(std::time::Duration::from_secs(5), waiting.asked())
            .await
            .expect("told at once");
        assert_eq!(reason, BUSY);
    }
}
