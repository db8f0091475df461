//! Mutual aid: requests and offers under pseudonyms, the ledger, and totals.
//! Everything but `aid coordinator` shows pseudonyms only.

use anyhow::Result;
use clap::Subcommand;
use holdfast_core::model::{AidCategory, AidOffer, AidRequest, Urgency};
use holdfast_store::use_cases::aid::NewRequest;

use super::Context;
use crate::money::{format_money, parse_cents};
use crate::output::{when, Table};

#[derive(Subcommand)]
pub enum Command {
    /// The mutual aid fund, pantry, rent pool, childcare and rides.
    #[command(subcommand)]
    Aid(AidCommand),
}

#[derive(Subcommand)]
pub enum AidCommand {
    /// Ask for help (for yourself unless you name a member).
    Request {
        /// fund, pantry, rent, childcare or rides.
        #[arg(long)]
        category: AidCategory,
        /// How much, e.g. 250 or 62.50.
        #[arg(long, value_parser = parse_cents)]
        amount: i64,
        /// low, soon or urgent.
        #[arg(long, default_value = "soon")]
        urgency: Urgency,
        #[arg(long, default_value = "")]
        note: String,
        #[arg(long)]
        member: Option<String>,
    },
    /// Offer help (from yourself unless you name a member).
    Offer {
        #[arg(long)]
        category: AidCategory,
        #[arg(long, value_parser = parse_cents)]
        amount: i64,
        #[arg(long, default_value = "")]
        note: String,
        #[arg(long)]
        member: Option<String>,
    },
    /// List requests, with pseudonyms only.
    Requests,
    /// List offers, with pseudonyms only.
    Offers,
    /// Open offers that could cover a request, largest first.
    Suggest { request: String },
    /// Match a request, with an offer or from the fund (coordinators).
    Match {
        request: String,
        #[arg(long)]
        offer: Option<String>,
    },
    #[command(flatten)]
    Fund(super::aid_ledger::LedgerCommand),
    /// Requests with the names behind them (coordinators only).
    Coordinator,
}

pub fn run(context: &Context, command: Command) -> Result<()> {
    let Command::Aid(command) = command;
    let output = &context.output;
    let mut campaign = context.open()?;
    let currency = campaign.settings()?.currency;
    match command {
        AidCommand::Request {
            category,
            amount,
            urgency,
            note,
            member,
        } => {
            let member = context.member_or_actor(&campaign, member)?;
            let request = campaign.request_aid(NewRequest {
                member,
                category,
                amount_cents: amount,
                urgency,
                note,
            })?;
            output.show(&request, || {
                format!(
                    "Filed a {} request for {} under the pseudonym {}. Only aid coordinators \
                     can see who is behind it. The request id is {}.",
                    request.category,
                    format_money(request.amount_cents, &currency),
                    request.pseudonym,
                    request.id
                )
            })
        }
        AidCommand::Offer {
            category,
            amount,
            note,
            member,
        } => {
            let member = context.member_or_actor(&campaign, member)?;
            let offer = campaign.offer_aid(&member, category, amount, &note)?;
            output.show(&offer, || {
                format!(
                    "Offered {} of {} as {}. The offer id is {}.",
                    format_money(offer.amount_cents, &currency),
                    offer.category,
                    offer.pseudonym,
                    offer.id
                )
            })
        }
        AidCommand::Requests => {
            let requests = campaign.aid_requests()?;
            output.show(&requests, || {
                request_table(&requests, &currency, |_| None).render_or("No one has asked for aid.")
            })
        }
        AidCommand::Offers => {
            let offers = campaign.aid_offers()?;
            output.show(&offers, || offer_table(&offers, &currency))
        }
        AidCommand::Suggest { request } => {
            let offers = campaign.suggest_matches(&request)?;
            output.show(&offers, || offer_table(&offers, &currency))
        }
        AidCommand::Match { request, offer } => {
            let coordinator = context.actor(&campaign)?;
            let matched = campaign.match_request(&request, offer.as_deref(), &coordinator)?;
            let pool = campaign
                .find::<AidRequest>(&matched.request_id)?
                .map(|request| request.category.to_string());
            output.show(&matched, || match (&matched.offer_id, pool) {
                (Some(offer), _) => format!("Matched the request with offer {offer}."),
                (None, Some(pool)) => {
                    format!("Matched the request; it will be paid from the {pool} pool.")
                }
                (None, None) => "Matched the request; it will be paid from its pool.".to_string(),
            })
        }
        AidCommand::Fund(command) => super::aid_ledger::run(context, &mut campaign, command),
        AidCommand::Coordinator => {
            let coordinator = context.actor(&campaign)?;
            campaign.require_coordinator(&coordinator)?;
            let view = campaign.coordinator_view()?;
            output.show(&view, || {
                let requests: Vec<AidRequest> =
                    view.iter().map(|named| named.request.clone()).collect();
                request_table(&requests, &currency, |index| {
                    Some(
                        view[index]
                            .member_name
                            .clone()
                            .unwrap_or_else(|| "(not on this device)".to_string()),
                    )
                })
                .render_or("No one has asked for aid.")
            })
        }
    }
}

/// Requests as a table; `name` adds a column of names for coordinators.
fn request_table(
    requests: &[AidRequest],
    currency: &str,
    name: impl Fn(usize) -> Option<String>,
) -> Table {
    let named = !requests.is_empty() && name(0).is_some();
    let mut headers = vec!["Asked", "Pseudonym"];
    if named {
        headers.push("Member");
    }
    headers.extend(["Category", "Amount", "Urgency", "Status", "Id"]);
    let mut table = Table::new(&headers);
    for (index, request) in requests.iter().enumerate() {
        let mut row = vec![when(&request.requested_at), request.pseudonym.clone()];
        if let Some(name) = name(index).filter(|_| named) {
            row.push(name);
        }
        row.extend([
            request.category.to_string(),
            format_money(request.amount_cents, currency),
            request.urgency.to_string(),
            request.status.to_string(),
            request.id.clone(),
        ]);
        table.row(row);
    }
    table
}

fn offer_table(offers: &[AidOffer], currency: &str) -> String {
    let mut table = Table::new(&["Offered", "By", "Category", "Amount", "Note", "Id"]);
    for offer in offers.iter().filter(|offer| !offer.withdrawn) {
        table.row(vec![
            when(&offer.offered_at),
            offer.pseudonym.clone(),
            offer.category.to_string(),
            format_money(offer.amount_cents, currency),
            offer.note.clone(),
            offer.id.clone(),
        ]);
    }
    table.render_or("No open offers.")
}
