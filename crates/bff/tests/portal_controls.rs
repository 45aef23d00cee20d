//! The portal's own guard rails around two upstream resources: the admin key Gatehouse itself
//! uses cannot be deleted through it, and the sandbox's "simulate acceptance" control exists
//! only in demo mode.

mod common;

use axum::http::StatusCode;
use common::Harness;

#[tokio::test]
async fn the_portals_own_admin_key_is_marked_and_cannot_be_deleted() {
    let harness = Harness::new().await;
    let (own, other) = harness.sandbox.read(|org| {
        (
            org.admin_keys()[0].id.clone(),
            org.admin_keys()[1].id.clone(),
        )
    });
    let (auditor, _) = harness.auditor().await;
    let answer = harness.get("/api/admin_key_in_use", &auditor).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.json(), serde_json::json!({ "ids": [own] }));
    let anonymous = harness
        .send("GET", "/api/admin_key_in_use", None, None, None)
        .await;
    anonymous.assert_error(StatusCode::UNAUTHORIZED, None);

    let (owner, csrf) = harness.owner().await;
    let refused = harness
        .send(
            "DELETE",
            &format!("/api/v1/organization/admin_api_keys/{own}"),
            Some(&owner),
            Some(&csrf),
            None,
        )
        .await;
    refused.assert_error(StatusCode::CONFLICT, None);
    assert!(
        refused.json()["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("Gatehouse itself uses this admin key")),
        "{}",
        refused.text
    );
    assert!(
        harness
            .sandbox
            .read(|org| org.admin_keys().iter().any(|k| k.id == own)),
        "the key is still there"
    );
    let deleted = harness
        .send(
            "DELETE",
            &format!("/api/v1/organization/admin_api_keys/{other}"),
            Some(&owner),
            Some(&csrf),
            None,
        )
        .await;
    assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.text);
    assert!(
        harness
            .sandbox
            .read(|org| !org.admin_keys().iter().any(|k| k.id == other))
    );
}

fn pending_invite(harness: &Harness) -> (String, String) {
    harness.sandbox.read(|org| {
        org.invites()
            .iter()
            .find(|i| i.status == "pending")
            .map(|i| (i.id.clone(), i.email.clone()))
            .expect("a pending invite")
    })
}

#[tokio::test]
async fn simulating_acceptance_is_a_demo_only_owner_write() {
    let real = Harness::new().await;
    let (owner, csrf) = real.owner().await;
    let (invite, _) = pending_invite(&real);
    let uri = format!("/api/v1/sandbox/invites/{invite}/accept");
    let hits = real.hits();
    real.send("POST", &uri, Some(&owner), Some(&csrf), None)
        .await
        .assert_error(StatusCode::NOT_FOUND, None);
    assert_eq!(real.hits(), hits, "nothing reached upstream");

    let demo = Harness::demo().await;
    let (invite, email) = pending_invite(&demo);
    let uri = format!("/api/v1/sandbox/invites/{invite}/accept");
    let (auditor, auditor_csrf) = demo.auditor().await;
    demo.send("POST", &uri, Some(&auditor), Some(&auditor_csrf), None)
        .await
        .assert_error(StatusCode::FORBIDDEN, None);
    let (owner, csrf) = demo.owner().await;
    demo.send("POST", &uri, Some(&owner), None, None)
        .await
        .assert_error(StatusCode::FORBIDDEN, None);
    let accepted = demo
        .send("POST", &uri, Some(&owner), Some(&csrf), None)
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.text);
    assert_eq!(accepted.json()["status"], "accepted");
    assert!(demo.sandbox.read(|org| {
        org.users()
            .iter()
            .any(|u| u.email.as_deref() == Some(email.as_str()))
    }));
    let journal = demo.get("/api/journal", &owner).await;
    assert!(
        journal
            .text
            .contains(&format!("/sandbox/invites/{invite}/accept")),
        "journaled: {}",
        journal.text
    );
}
