//! The words of the demo: skill materials, contingency plans, meeting notes,
//! rest commitments and aid notes. Written for this demo; short enough to read
//! on a phone, concrete enough that a steward recognises the situations.

/// A skill of the commons: name, one-line summary, offline materials.
pub struct SkillText {
    pub name: &'static str,
    pub summary: &'static str,
    pub materials: &'static str,
}

pub const SKILLS: &[SkillText] = &[
    SkillText {
        name: "Legal basics",
        summary: "What the law protects on a picket line, and what to do when it is tested.",
        materials: "\
# Legal basics for the picket line

## Before you go
- Carry the action's legal observer number, written on your arm in marker, not only in your phone.
- Know the name of your shift captain and which gate you are assigned to.
- Leave at home anything you would not want read if your bag were searched.

## On the line
- Keep the road and the footpath passable unless the captain says otherwise. Walking slowly in a
  circle is picketing; linking arms across a gate is a different decision, taken together.
- You may talk to people crossing the line and hand them a leaflet. You may not touch them or
  their vehicle.
- If a manager films you, carry on as normal. Do not answer questions about who organised the action.

## If police speak to you
1. Stay calm and ask: \"Am I being detained, or am I free to go?\"
2. Give your name and address if the law requires it. You do not have to say anything else.
3. Say \"I want to speak to a lawyer\" and then stop talking.
4. Tell the captain and the legal observer as soon as you can, with the time and the officer's number.

## Afterwards
Write down what happened the same day, while you remember it: times, names, numbers, who saw it.
Give the note to a steward, not to a group chat.
",
    },
    SkillText {
        name: "De-escalation",
        summary: "Keeping a tense moment from becoming the story of the day.",
        materials: "\
# De-escalation

A picket line works when it is disciplined. The person trying to provoke you is hoping you will
give them a photograph. Do not give it to them.

## The four moves
1. **Slow down.** Lower your voice and your pace. Tension follows the loudest person; be the quietest.
2. **Make space.** Step back half a pace. Turn your body a little to the side so you are not squared up.
3. **Name it plainly.** \"I can see you're angry. We're not stopping you, we're asking you not to go in today.\"
4. **Hand over.** Call the captain or a trained colleague and swap out. Walking away is a skill, not a defeat.

## Pairs, not heroes
Nobody handles a confrontation alone. Agree with the person next to you which of you speaks and
which of you watches, then stick to it.

## Practice scenario
A driver stops at the gate, winds down the window and starts shouting. Two people practise the four
moves while a third plays the driver and a fourth times how long it takes to calm down. Swap roles.
Talk afterwards about what the driver actually wanted.
",
    },
    SkillText {
        name: "Media framing",
        summary: "Telling our story in one breath, before management tells it for us.",
        materials: "\
# Media framing

## One message, three parts
- **Who we are:** the people who keep payments moving, cards printed and wages paid.
- **What is wrong:** say it in terms a neighbour recognises, such as short staffing, unpaid overtime, pay that lags rent.
- **What we want:** one concrete demand, not a list.

Practise saying all three in under twenty seconds. If it takes longer, cut.

## Talking to a reporter
- Only designated spokespeople give names. Everyone else may say \"I'm a member; please talk to our spokesperson.\"
- Never guess a number. \"I don't have that figure\" is a complete answer.
- Do not repeat management's phrase to deny it. Say what is true instead.

## Pictures
A photograph of twelve people who look cold says \"small and sad\". The same twelve people close
together behind one banner, mid-laugh, says \"organised\". Frame tight, shoot from slightly low, and
keep faces of people who have not agreed out of the picture.
",
    },
    SkillText {
        name: "Banner drops",
        summary: "Making and hanging a banner that can be read from a moving bus, safely.",
        materials: "\
# Banner drops

## Making the banner
- Five words or fewer. Letters at least 30 cm tall for a banner seen from across a road.
- Dark letters on a light ground, or the reverse; never red on green.
- Cut wind slits: half-moons about a hand wide, every half metre, so the banner does not become a sail.
- Reinforce the corners with tape on both sides before punching holes for the rope.

## Hanging it
1. Scout the spot the day before: what will you tie to, how high is it, who owns it?
2. Two people hang, one watches the street and the time, one holds the phone for photographs.
3. Use slip knots that one pull releases. Practise untying with cold hands.
4. Agree the take-down time in advance and keep to it.

## Safety
Nobody leans over a railing or climbs without a second person holding them. If anyone says
\"stop\", everyone stops. A banner is never worth an injury.
",
    },
    SkillText {
        name: "Data security",
        summary: "Keeping the campaign's phones and files from becoming management's evidence.",
        materials: "\
# Data security

## Your phone
- Set a PIN of six digits or more; turn off face and fingerprint unlock before an action.
- Keep the phone's software up to date. Most break-ins use old, known holes.
- Turn on disappearing messages in campaign chats. Screenshots still happen, so write as if read aloud.

## Holdfast on your phone
- The app shares the campaign only with devices a steward has paired, and only when they meet.
- If your phone is lost or taken, tell a steward the same day so the device can be revoked.
- Do not photograph the member list or the aid requests. The app already has them, safely.

## Meetings
- Do not plan actions over company email, company wifi or a work laptop.
- Leave phones in another room for sensitive conversations, or at least in a bag away from the table.

## Exercise
In pairs, check each other's phone lock settings and chat settings. Fix one thing each before you leave.
",
    },
];

/// Committees: name, purpose, and notes a secretary might write.
pub const COMMITTEES: &[(&str, &str)] = &[
    (
        "Bargaining Committee",
        "Carries members' demands to the table and reports back after every session.",
    ),
    (
        "Picket Coordination Committee",
        "Plans pickets and shifts, trains captains, and keeps the choke-point map current.",
    ),
    (
        "Mutual Aid Committee",
        "Runs the hardship fund, the pantry and the rides and childcare rota.",
    ),
    (
        "Safety and Wellbeing Committee",
        "Walks the sites, logs hazards, and makes sure circles happen after every action.",
    ),
    (
        "Communications Committee",
        "Writes the bulletin, trains spokespeople, and keeps the phone tree working.",
    ),
];

pub const MEETING_NOTES: &[&str] = &[
    "Reviewed turnout at the last action and agreed who will call members who signed up but did not come.",
    "Went through management's latest offer line by line; members at every site to be briefed this week.",
    "Agreed captains for the next picket and a back-up captain for each gate.",
    "Heard reports from each site. Eastfield reports new agency staff on the mail dock; stewards to follow up.",
    "Discussed the pace of actions. Agreed to keep the monthly rhythm and not add extra pickets before the vote.",
    "Checked the aid fund's totals and agreed to hold a solidarity collection at the next lunch rally.",
    "Planned the skill session rota for the next two months and asked for volunteers to learn de-escalation.",
    "Updated the choke-point map after the night shift described how the clearing run is checked.",
    "Short meeting: confirmed the leaflet text and who collects it from the printer.",
    "Debriefed the last picket. The north gate needed more people before 7am; shift times to move earlier.",
    "Talked through what to do if management reroutes the print work. Contingency plan updated.",
    "Welcomed new members from Harbour Street and paired each with an experienced steward.",
];

/// One choke point of the core map: name, kind word, core site index,
/// hours to freeze, routable, people needed, contingency, and the names it depends on.
pub struct ChokeText {
    pub name: &'static str,
    pub kind: &'static str,
    pub site: usize,
    pub hours_to_freeze: f64,
    pub routable: bool,
    pub people_needed: i64,
    pub contingency: &'static str,
    pub depends_on: &'static [&'static str],
}

pub const CHOKE_POINTS: &[ChokeText] = &[
    ChokeText {
        name: "Riverside data centre",
        kind: "site",
        site: 0,
        hours_to_freeze: 72.0,
        routable: false,
        people_needed: 24,
        contingency: "If management brings contractors in by the service road, move the second shift to the service gate and call the Network Operations members off the floor together.",
        depends_on: &[],
    },
    ChokeText {
        name: "Network operations centre",
        kind: "system",
        site: 0,
        hours_to_freeze: 10.0,
        routable: false,
        people_needed: 6,
        contingency: "If remote monitoring is switched to the vendor, members stay out and the picket shifts to the vendor's engineers arriving on site.",
        depends_on: &["Riverside data centre"],
    },
    ChokeText {
        name: "Overnight clearing run",
        kind: "process",
        site: 1,
        hours_to_freeze: 6.0,
        routable: false,
        people_needed: 9,
        contingency: "If managers try to run the batch themselves, the day shift holds a mass picket at 6am so nobody signs off the morning reconciliation.",
        depends_on: &["Riverside data centre"],
    },
    ChokeText {
        name: "Payments reconciliation desk",
        kind: "process",
        site: 1,
        hours_to_freeze: 26.0,
        routable: true,
        people_needed: 7,
        contingency: "Management can borrow staff from head office. Brief Civic Square members in advance so borrowed staff know what they are being asked to cover.",
        depends_on: &["Overnight clearing run"],
    },
    ChokeText {
        name: "Card and statement print line",
        kind: "process",
        site: 2,
        hours_to_freeze: 120.0,
        routable: true,
        people_needed: 10,
        contingency: "Print can be sent to an outside printer within a week. Contact the printers' union branch now so their members know the work may arrive.",
        depends_on: &["Riverside data centre"],
    },
    ChokeText {
        name: "Eastfield loading dock",
        kind: "site",
        site: 2,
        hours_to_freeze: 60.0,
        routable: false,
        people_needed: 14,
        contingency: "If trucks are sent to the side yard, the picket splits in two with a captain on each gate; drivers get the leaflet in three languages.",
        depends_on: &["Card and statement print line"],
    },
    ChokeText {
        name: "Monthly payroll deadline",
        kind: "deadline",
        site: 3,
        hours_to_freeze: 40.0,
        routable: false,
        people_needed: 5,
        contingency: "Payroll must reach the bank by the 25th. Time the action for the 23rd and 24th; if the file is brought forward, move the walk-out with it.",
        depends_on: &["Riverside data centre"],
    },
    ChokeText {
        name: "Customer contact centre",
        kind: "process",
        site: 3,
        hours_to_freeze: 16.0,
        routable: true,
        people_needed: 18,
        contingency: "Calls can overflow to an outsourced centre. Publish the overflow number's wait times to show the public the service has stopped.",
        depends_on: &["Network operations centre"],
    },
    ChokeText {
        name: "Branch cash deliveries",
        kind: "process",
        site: 2,
        hours_to_freeze: 30.0,
        routable: true,
        people_needed: 8,
        contingency: "Another depot could cover for a few days. Ask members there now whether they would refuse the extra runs.",
        depends_on: &["Overnight clearing run"],
    },
    ChokeText {
        name: "Head office mail room",
        kind: "site",
        site: 3,
        hours_to_freeze: 200.0,
        routable: true,
        people_needed: 3,
        contingency: "Low priority. Keep members informed, but do not spend picket numbers here.",
        depends_on: &[],
    },
];

pub const CONTINGENCY_FOR_BRANCH: &str = "If the branch is closed for the day and staff are sent elsewhere, follow them: the picket moves to the receiving site with the same captain.";

pub const PRACTICES: &[(&str, &str)] = &[
    ("Worker-led safety walk at Eastfield", "safety_inspection"),
    ("Peer grievance panel", "grievance_panel"),
    ("Open decision forum", "decision_forum"),
    ("Night shift safety check at Riverside", "safety_inspection"),
];

pub const REST_COMMITMENTS: &[&str] = &[
    "A whole Sunday with my phone switched off.",
    "Cooking dinner with my kids and not talking about work.",
    "A long walk by the river on Saturday morning.",
    "Going to bed before ten twice this week.",
    "Seeing my sister, who I have not visited since the campaign started.",
    "Swimming on Wednesday evening.",
    "Not answering campaign messages after eight.",
    "An afternoon at the allotment.",
    "Reading a novel instead of the news.",
    "Letting someone else cover my next shift.",
    "Playing football with the Thursday group again.",
    "Sleeping in on my day off, no alarm.",
];

pub const REQUEST_NOTES: &[(&str, &str)] = &[
    (
        "rent",
        "Short this month after unpaid days; landlord has given a week.",
    ),
    ("rent", "Deposit for a cheaper flat closer to the site."),
    ("pantry", "Groceries for a family of four for the week."),
    ("pantry", "Baby formula and nappies."),
    (
        "childcare",
        "Someone to collect two children from school on picket days.",
    ),
    (
        "childcare",
        "Evening care on Thursday so I can attend the committee.",
    ),
    (
        "rides",
        "Lift to the early shift at Riverside; no bus before 6am.",
    ),
    ("rides", "Ride to a hospital appointment on Tuesday."),
    ("fund", "Car repair so I can keep getting to work."),
    ("fund", "Electricity bill after the winter."),
];

pub const OFFER_NOTES: &[(&str, &str)] = &[
    (
        "rides",
        "Seven-seat car, can do the early run from the east side.",
    ),
    ("childcare", "Can mind children at my place on Saturdays."),
    (
        "pantry",
        "Bringing a box of tins and rice to every meeting.",
    ),
    ("rent", "Can lend toward someone's rent this month."),
    (
        "fund",
        "Monthly standing contribution to the hardship fund.",
    ),
    ("rides", "Can drive to Eastfield on weekdays after 3pm."),
];

pub const CONTRIBUTION_NOTES: &[&str] = &[
    "Collection at the lunch rally",
    "Solidarity donation from the nurses' branch",
    "Monthly standing contributions",
    "Quiz night at the community hall",
    "Bucket collection at the mass picket",
    "Donation from the retired members' group",
];

pub const DISBURSEMENT_NOTES: &[&str] = &[
    "Paid as agreed by two coordinators",
    "Paid directly to the landlord",
    "Supermarket vouchers",
    "Fuel money for the rides rota",
    "Childminder paid for picket days",
];
