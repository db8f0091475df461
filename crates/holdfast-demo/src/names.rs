//! Invented people and places. First names and surnames are drawn from many
//! languages so the roster looks like a real workforce; every full name is a
//! random pairing, not a real person.

use std::collections::HashSet;

use rand::rngs::StdRng;
use rand::seq::IndexedRandom;

pub const FIRST_NAMES: &[&str] = &[
    "Abebe",
    "Adaeze",
    "Adriana",
    "Aiko",
    "Aisha",
    "Alejandro",
    "Amara",
    "Anders",
    "Aroha",
    "Asif",
    "Astrid",
    "Ayesha",
    "Bao",
    "Beatriz",
    "Bilal",
    "Bronwen",
    "Camille",
    "Carmen",
    "Chidi",
    "Ciaran",
    "Dagny",
    "Dalia",
    "Darnell",
    "Deniz",
    "Dmitri",
    "Eamon",
    "Efua",
    "Elif",
    "Emeka",
    "Esperanza",
    "Farah",
    "Femi",
    "Fiona",
    "Gabriel",
    "Giulia",
    "Grace",
    "Gustavo",
    "Hana",
    "Hamza",
    "Hiroshi",
    "Ines",
    "Ingrid",
    "Ioana",
    "Isaac",
    "Jamal",
    "Janek",
    "Javier",
    "Jia",
    "Joana",
    "Jonah",
    "Kalani",
    "Kamala",
    "Kateryna",
    "Kemal",
    "Kenji",
    "Kofi",
    "Lakshmi",
    "Laila",
    "Leilani",
    "Liam",
    "Lucia",
    "Luis",
    "Maeve",
    "Malik",
    "Mariam",
    "Marta",
    "Mateo",
    "Mei",
    "Miriam",
    "Mohammed",
    "Nadia",
    "Naledi",
    "Nia",
    "Nikolai",
    "Noor",
    "Obinna",
    "Olusegun",
    "Oksana",
    "Pablo",
    "Parisa",
    "Priya",
    "Quentin",
    "Rafael",
    "Rahel",
    "Ravi",
    "Rosa",
    "Ruth",
    "Saanvi",
    "Samir",
    "Sara",
    "Seo-yeon",
    "Siddharth",
    "Siobhan",
    "Sofia",
    "Tamar",
    "Tariq",
    "Teresa",
    "Thabo",
    "Tomasz",
    "Tuan",
    "Valentina",
    "Vikram",
    "Wanjiru",
    "Wei",
    "Xochitl",
    "Yara",
    "Yusuf",
    "Zainab",
    "Zeynep",
    "Zoltan",
];

pub const SURNAMES: &[&str] = &[
    "Abubakar",
    "Acheampong",
    "Ahmadi",
    "Alvarez",
    "Andersen",
    "Asante",
    "Baptiste",
    "Barros",
    "Bergstrom",
    "Bianchi",
    "Boateng",
    "Brennan",
    "Castillo",
    "Chandra",
    "Chen",
    "Costa",
    "Dimitrov",
    "Dlamini",
    "Duarte",
    "Eriksen",
    "Eze",
    "Fernandes",
    "Fitzgerald",
    "Fontaine",
    "Gallagher",
    "Garcia",
    "Georgiou",
    "Gonzalez",
    "Haddad",
    "Hashemi",
    "Hernandez",
    "Horvat",
    "Ibrahim",
    "Ivanova",
    "Jankowski",
    "Jensen",
    "Kamau",
    "Kaplan",
    "Kawasaki",
    "Khan",
    "Kowalczyk",
    "Kuznetsov",
    "Larsen",
    "Lehmann",
    "Lindqvist",
    "Lopes",
    "Mahlangu",
    "Mansour",
    "Martinez",
    "Mbeki",
    "McCarthy",
    "Mendoza",
    "Moreau",
    "Murphy",
    "Nakamura",
    "Nascimento",
    "Ndiaye",
    "Nguyen",
    "Novak",
    "Nowak",
    "Nyambura",
    "Obi",
    "Okafor",
    "Okonkwo",
    "Oliveira",
    "Osei",
    "Ozturk",
    "Papadopoulos",
    "Park",
    "Patel",
    "Pereira",
    "Petrovic",
    "Quispe",
    "Rahman",
    "Ramirez",
    "Rao",
    "Reyes",
    "Rossi",
    "Sahin",
    "Salazar",
    "Santos",
    "Schmidt",
    "Sharma",
    "Silva",
    "Singh",
    "Sokolov",
    "Suzuki",
    "Szabo",
    "Takahashi",
    "Tanaka",
    "Torres",
    "Tran",
    "Usman",
    "Van der Berg",
    "Vargas",
    "Vasquez",
    "Wang",
    "Walsh",
    "Weber",
    "Wojcik",
    "Yamamoto",
    "Yilmaz",
    "Zhang",
    "Zulu",
];

/// Makes `count` distinct full names. Distinct names keep the command line's
/// "find a member by name" unambiguous in the demo.
pub fn full_names(random: &mut StdRng, count: usize) -> Vec<String> {
    let capacity = FIRST_NAMES.len() * SURNAMES.len();
    let mut seen = HashSet::with_capacity(count);
    let mut names = Vec::with_capacity(count);
    while names.len() < count {
        let first = FIRST_NAMES.choose(random).expect("the list is not empty");
        let last = SURNAMES.choose(random).expect("the list is not empty");
        let mut name = format!("{first} {last}");
        // Past the number of pairings, a middle initial keeps names distinct.
        if seen.len() >= capacity || seen.contains(&name) {
            if seen.len() < capacity / 2 {
                continue;
            }
            let initial = (b'A' + (names.len() % 26) as u8) as char;
            name = format!("{first} {initial}. {last}");
            if seen.contains(&name) {
                continue;
            }
        }
        seen.insert(name.clone());
        names.push(name);
    }
    names
}

/// The four sites every campaign has, with the departments inside them.
pub const CORE_SITES: &[(&str, &str, &[&str])] = &[
    (
        "Riverside Data Centre",
        "2 Weir Road, Riverside",
        &["Server Operations", "Network Operations", "Facilities"],
    ),
    (
        "Harbour Street Operations",
        "140 Harbour Street",
        &["Clearing", "Payments", "Reconciliation"],
    ),
    (
        "Eastfield Warehouse",
        "Unit 9, Eastfield Trading Estate",
        &["Card Printing", "Mail Dock", "Stores"],
    ),
    (
        "Civic Square Head Office",
        "1 Civic Square",
        &["Payroll", "Customer Contact", "Cleaning and Security"],
    ),
];

const PLACES: &[&str] = &[
    "Ashford",
    "Bramley",
    "Carden",
    "Dunmore",
    "Elmstead",
    "Fairholme",
    "Glenrock",
    "Hatherley",
    "Ivybridge",
    "Juniper Hill",
    "Kingsmead",
    "Larkfield",
    "Millbrook",
    "Northcote",
    "Oakhurst",
    "Pinewood",
    "Queensbury",
    "Redhill",
    "Southgate",
    "Thornbury",
    "Upton",
    "Valemount",
    "Westmere",
    "Yardley",
];

const BRANCH_KINDS: &[(&str, &[&str])] = &[
    ("Branch", &["Counter", "Lending", "Back Office"]),
    (
        "Call Centre",
        &["Inbound Calls", "Complaints", "Team Support"],
    ),
    ("Cash Centre", &["Cash Handling", "Vault", "Transport"]),
    (
        "Processing Centre",
        &["Mortgages", "Cards", "Document Scanning"],
    ),
];

/// Sites beyond the core four, for larger campaigns: a place and a kind of
/// workplace, with that kind's departments.
pub fn extra_site(index: usize) -> (String, String, &'static [&'static str]) {
    let place = PLACES[index % PLACES.len()];
    let (kind, departments) = BRANCH_KINDS[(index / PLACES.len() + index) % BRANCH_KINDS.len()];
    let name = if index < PLACES.len() {
        format!("{place} {kind}")
    } else {
        format!("{place} {kind} {}", index / PLACES.len() + 1)
    };
    let address = format!("{} High Street, {place}", 10 + index * 7 % 180);
    (name, address, departments)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn names_are_distinct_even_past_the_pairings() {
        let mut random = StdRng::seed_from_u64(3);
        let count = FIRST_NAMES.len() * SURNAMES.len() + 500;
        let names = full_names(&mut random, count);
        let distinct: HashSet<&String> = names.iter().collect();
        assert_eq!(distinct.len(), count);
    }

    #[test]
    fn extra_sites_have_distinct_names() {
        let names: HashSet<String> = (0..200).map(|index| extra_site(index).0).collect();
        assert_eq!(names.len(), 200);
    }
}
