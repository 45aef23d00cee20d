//! Offboarding on the seeded organization: the plan in its order, the last owner refused, a
//! run that removes every access (keys first), a step that fails halfway (stopping or going
//! on as chosen, never repeating a step on resume), and a second run that finds nothing.

mod common;

use axum::http::StatusCode;
use common::Harness;
use serde_json::{Value, json};

/// The reader the seed made for offboarding: in two projects, owning a key, with a pending
/// invite to their email.
fn leaver(harness: &Harness) -> String {
    harness.sandbox.read(|org| {
        let invited: Vec<&str> = org
            .invites()
            .iter()
            .filter(|i| i.status == "pending")
            .map(|i| i.email.as_str())
            .collect();
        org.users()
            .iter()
            .find(|u| u.email.as_deref().is_some_and(|e| invited.contains(&e)))
            .map(|u| u.id.clone())
            .expect("the seeded leaver")
    })
}

async fn plan(harness: &Harness, cookie: &str, user: &str) -> Value {
    let answer = harness
        .get(&format!("/api/offboarding/{user}"), cookie)
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    answer.json()
}

fn step_ids(plan: &Value) -> Vec<String> {
    plan["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| s["id"].as_str().expect("id").to_owned())
        .collect()
}

fn kinds(steps: &Value) -> Vec<String> {
    steps
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| s["kind"].as_str().expect("kind").to_owned())
        .collect()
}

async fn start(
    harness: &Harness,
    session: &(String, String),
    user: &str,
    body: Value,
) -> common::Answer {
    harness
        .send(
            "POST",
            &format!("/api/offboarding/{user}"),
            Some(&session.0),
            Some(&session.1),
            Some(&body.to_string()),
        )
        .await
}

async fn next(harness: &Harness, session: &(String, String), id: &str, resume: bool) -> Value {
    let answer = harness
        .send(
            "POST",
            &format!("/api/offboardings/{id}/next"),
            Some(&session.0),
            Some(&session.1),
            Some(&json!({ "resume": resume }).to_string()),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    answer.json()
}

/// Sets a user's organization role through the portal.
async fn set_role(harness: &Harness, session: &(String, String), user: &str, role: &str) {
    let answer = harness
        .send(
            "POST",
            &format!("/api/v1/organization/users/{user}"),
            Some(&session.0),
            Some(&session.1),
            Some(&json!({ "role": role }).to_string()),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
}

#[tokio::test]
async fn an_offboarding_removes_every_access_keys_first_and_a_second_finds_nothing() {
    let harness = Harness::new().await;
    let owner = harness.owner().await;
    let user = leaver(&harness);
    let plan = plan(&harness, &owner.0, &user).await;
    assert_eq!(plan["last_owner"], false);
    let order = kinds(&plan["steps"]);
    let expected_order = {
        let mut sorted = order.clone();
        let rank = |k: &String| {
            [
                "project_key",
                "admin_key",
                "project_membership",
                "organization_membership",
                "invite",
            ]
            .iter()
            .position(|x| x == k)
            .expect("kind")
        };
        sorted.sort_by_key(rank);
        sorted
    };
    assert_eq!(
        order, expected_order,
        "keys, then memberships, then the organization, then invites"
    );
    let count = |kind: &str| order.iter().filter(|k| *k == kind).count();
    assert!(count("project_membership") >= 2, "{plan}");
    assert!(count("project_key") >= 1, "{plan}");
    assert_eq!(count("organization_membership"), 1);
    assert_eq!(count("invite"), 1);
    // The plan's memberships are exactly upstream's.
    let memberships = harness.sandbox.read(|org| {
        org.projects()
            .iter()
            .filter(|p| p.project.archived_at.is_none() && p.members.iter().any(|m| m.id == user))
            .count()
    });
    assert_eq!(count("project_membership"), memberships);

    let started = start(
        &harness,
        &owner,
        &user,
        json!({ "steps": step_ids(&plan), "on_failure": "stop" }),
    )
    .await;
    assert_eq!(started.status, StatusCode::CREATED, "{}", started.text);
    let id = started.json()["id"].as_str().expect("id").to_owned();
    let mut ran = Vec::new();
    loop {
        let stepped = next(&harness, &owner, &id, false).await;
        if stepped["finished"] == true && stepped["ran"].is_null() {
            break;
        }
        ran.push(stepped["ran"].as_str().expect("a step ran").to_owned());
        assert!(ran.len() <= order.len(), "no step runs twice");
    }
    assert_eq!(ran, step_ids(&plan), "every step once, in the plan's order");

    // Upstream: not in the organization, in no project, no key, no invite.
    harness.sandbox.read(|org| {
        assert!(org.users().iter().all(|u| u.id != user));
        for project in org.projects() {
            assert!(project.members.iter().all(|m| m.id != user));
            assert!(
                project
                    .api_keys
                    .iter()
                    .all(|k| k.owner.user.as_ref().is_none_or(|o| o.id != user))
            );
        }
    });
    let invite_path = step_ids(&plan).last().cloned().expect("invite step");
    let invite = invite_path
        .rsplit('/')
        .next()
        .expect("invite id")
        .to_owned();
    assert!(
        harness
            .sandbox
            .read(|org| org.invites().iter().all(|i| i.id != invite))
    );

    // The journal holds the run: its plan and one result per step, all under its id.
    let run = harness
        .get(&format!("/api/offboardings/{id}"), &owner.0)
        .await
        .json();
    assert_eq!(run["started_by"], "olive");
    assert!(
        run["steps"]
            .as_array()
            .expect("steps")
            .iter()
            .all(|s| s["state"] == "done"),
        "{run}"
    );
    let rows = harness
        .journal
        .rows_about("/api/offboardings", &id)
        .await
        .expect("rows");
    assert_eq!(rows.len(), 1 + order.len());

    // Again: nothing left to do.
    let again = self::plan(&harness, &owner.0, &user).await;
    assert_eq!(again["steps"], json!([]), "{again}");
}

#[tokio::test]
async fn the_last_owner_cannot_be_offboarded() {
    let harness = Harness::new().await;
    let owner = harness.owner().await;
    let (keeper, others) = harness.sandbox.read(|org| {
        let owners: Vec<String> = org
            .users()
            .iter()
            .filter(|u| u.role.as_deref() == Some("owner"))
            .map(|u| u.id.clone())
            .collect();
        (owners[0].clone(), owners[1..].to_vec())
    });
    for other in &others {
        set_role(&harness, &owner, other, "reader").await;
    }
    let plan = plan(&harness, &owner.0, &keeper).await;
    assert_eq!(plan["last_owner"], true);
    let membership = plan["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .find(|s| s["kind"] == "organization_membership")
        .expect("membership");
    assert!(membership["blocked"].is_string());
    let before = harness.sandbox.read(|org| org.users().len());
    let refused = start(
        &harness,
        &owner,
        &keeper,
        json!({ "steps": step_ids(&plan) }),
    )
    .await;
    refused.assert_error(StatusCode::CONFLICT, Some("last_owner"));
    assert_eq!(harness.sandbox.read(|org| org.users().len()), before);
}

/// An owner's offboarding where the organization step fails: between the start and that
/// step, every other owner is made a reader, so removing them would leave no owner.
async fn failing_halfway(
    on_failure: &str,
) -> (Harness, (String, String), String, String, Vec<String>) {
    let harness = Harness::new().await;
    let owner = harness.owner().await;
    // The seeded leaver (who has an invite, the step after the organization's), made an owner.
    let target = leaver(&harness);
    let others: Vec<String> = harness.sandbox.read(|org| {
        org.users()
            .iter()
            .filter(|u| u.role.as_deref() == Some("owner"))
            .map(|u| u.id.clone())
            .collect()
    });
    set_role(&harness, &owner, &target, "owner").await;
    let plan = plan(&harness, &owner.0, &target).await;
    let steps: Vec<String> = plan["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .filter(|s| s["blocked"].is_null())
        .map(|s| s["id"].as_str().expect("id").to_owned())
        .collect();
    let started = start(
        &harness,
        &owner,
        &target,
        json!({ "steps": steps, "on_failure": on_failure }),
    )
    .await;
    assert_eq!(started.status, StatusCode::CREATED, "{}", started.text);
    let id = started.json()["id"].as_str().expect("id").to_owned();
    for other in &others {
        set_role(&harness, &owner, other, "reader").await;
    }
    (harness, owner, target, id, others)
}

fn states(run: &Value) -> Vec<(String, String)> {
    run["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| {
            (
                s["kind"].as_str().expect("kind").to_owned(),
                s["state"].as_str().expect("state").to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_failed_step_stops_the_run_and_resume_repeats_nothing_done() {
    let (harness, owner, target, id, others) = failing_halfway("stop").await;
    let mut last = Value::Null;
    for _ in 0..50 {
        last = next(&harness, &owner, &id, false).await;
        if last["stopped"] == true || last["finished"] == true {
            break;
        }
    }
    assert_eq!(last["stopped"], true, "{last}");
    let run = &last["run"];
    let failed = run["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .find(|s| s["state"] == "failed")
        .expect("a failed step");
    assert_eq!(failed["kind"], "organization_membership");
    assert!(
        failed["message"]
            .as_str()
            .expect("upstream's words")
            .contains("owner"),
        "{failed}"
    );
    for (kind, state) in states(run) {
        match kind.as_str() {
            "organization_membership" => assert_eq!(state, "failed"),
            "invite" => assert_eq!(state, "pending", "nothing after the failure ran"),
            _ => assert_eq!(state, "done"),
        }
    }
    // Asking again without resuming runs nothing.
    let hits = harness.hits();
    let again = next(&harness, &owner, &id, false).await;
    assert_eq!(again["stopped"], true);
    assert!(again["ran"].is_null());
    assert_eq!(harness.hits(), hits, "nothing reached upstream");

    // Another owner again, then resume: the failed step runs, done steps do not.
    set_role(&harness, &owner, &others[0], "owner").await;
    let writes_before = harness
        .journal_rows(1_000)
        .await
        .iter()
        .filter(|r| r.phase == "request" && r.method == "DELETE")
        .count();
    let resumed = next(&harness, &owner, &id, true).await;
    assert_eq!(resumed["ran"], format!("/organization/users/{target}"));
    let mut end = resumed;
    while end["finished"] != true {
        end = next(&harness, &owner, &id, false).await;
    }
    assert!(
        states(&end["run"]).iter().all(|(_, s)| s == "done"),
        "{end}"
    );
    let writes_after = harness
        .journal_rows(1_000)
        .await
        .iter()
        .filter(|r| r.phase == "request" && r.method == "DELETE")
        .count();
    assert_eq!(
        writes_after - writes_before,
        2,
        "the failed step and the invite after it were sent; nothing done before was sent again"
    );
    assert!(
        harness
            .sandbox
            .read(|org| org.users().iter().all(|u| u.id != target))
    );
}

#[tokio::test]
async fn a_run_told_to_continue_goes_past_a_failed_step() {
    let (harness, owner, target, id, _) = failing_halfway("continue").await;
    let mut last = Value::Null;
    for _ in 0..50 {
        last = next(&harness, &owner, &id, false).await;
        if last["finished"] == true {
            break;
        }
    }
    assert_eq!(last["finished"], true, "{last}");
    assert_eq!(last["stopped"], false);
    let failed: Vec<(String, String)> = states(&last["run"])
        .into_iter()
        .filter(|(_, s)| s != "done")
        .collect();
    assert_eq!(
        failed,
        [("organization_membership".to_owned(), "failed".to_owned())]
    );
    // Still in the organization, in no active project (archived ones take no changes).
    harness.sandbox.read(|org| {
        assert!(org.users().iter().any(|u| u.id == target));
        assert!(
            org.projects()
                .iter()
                .filter(|p| p.project.archived_at.is_none())
                .all(|p| p.members.iter().all(|m| m.id != target))
        );
    });
}

#[tokio::test]
async fn auditors_see_the_plan_and_cannot_run_it() {
    let harness = Harness::new().await;
    let auditor = harness.auditor().await;
    let user = leaver(&harness);
    let plan = plan(&harness, &auditor.0, &user).await;
    let refused = start(
        &harness,
        &auditor,
        &user,
        json!({ "steps": step_ids(&plan) }),
    )
    .await;
    refused.assert_error(StatusCode::FORBIDDEN, Some("insufficient_role"));
    // A step that is not in the plan is refused for an owner too.
    let owner = harness.owner().await;
    let forged = start(
        &harness,
        &owner,
        &user,
        json!({ "steps": ["/organization/users/user-someoneelse0000000000"] }),
    )
    .await;
    forged.assert_error(StatusCode::CONFLICT, Some("plan_changed"));
}

#[tokio::test]
async fn two_calls_at_once_run_one_step_once() {
    let sandbox = common::small_sandbox(common::CANARY_KEY)
        .with_faults("latency=150ms".parse().expect("faults"));
    let harness = Harness::around(sandbox, gatehouse::upstream::Policy::default()).await;
    let owner = harness.owner().await;
    let user = leaver(&harness);
    let plan = plan(&harness, &owner.0, &user).await;
    let started = start(&harness, &owner, &user, json!({ "steps": step_ids(&plan) })).await;
    assert_eq!(started.status, StatusCode::CREATED, "{}", started.text);
    let id = started.json()["id"].as_str().expect("id").to_owned();
    let path = format!("/api/offboardings/{id}/next");
    let call = || harness.send("POST", &path, Some(&owner.0), Some(&owner.1), Some("{}"));
    let (first, second) = tokio::join!(call(), call());
    let mut statuses = [first.status, second.status];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::CONFLICT],
        "{} / {}",
        first.text,
        second.text
    );
    let busy = if first.status == StatusCode::CONFLICT {
        &first
    } else {
        &second
    };
    busy.assert_error(StatusCode::CONFLICT, Some("step_under_way"));
    let run = harness
        .get(&format!("/api/offboardings/{id}"), &owner.0)
        .await
        .json();
    let done = states(&run).iter().filter(|(_, s)| s == "done").count();
    assert_eq!(done, 1, "one step ran, once: {run}");
    let rows = harness
        .journal
        .rows_about("/api/offboardings", &id)
        .await
        .expect("rows");
    assert_eq!(rows.len(), 2, "the plan and one step's result");
}
