//! The allow-listed proxy: every mutating route refuses auditors, missing CSRF and missing
//! sessions, every allowed read works, and a table of attack requests never reaches upstream.

mod common;

use axum::http::StatusCode;
use common::{Harness, ids, writes};
use sandbox::seeded as seed;

#[tokio::test]
async fn every_write_needs_a_session_the_csrf_token_and_the_owner_role() {
    let harness = Harness::new().await;
    let ids = ids(&harness);
    let (auditor, auditor_csrf) = harness.auditor().await;
    let (owner, _) = harness.owner().await;
    for (method, uri, body) in writes(&ids) {
        let body = body.as_deref();
        harness
            .send(method, &uri, None, None, body)
            .await
            .assert_error(StatusCode::UNAUTHORIZED, Some("unauthenticated"));
        harness
            .send(method, &uri, Some(&owner), None, body)
            .await
            .assert_error(StatusCode::FORBIDDEN, Some("csrf_failed"));
        harness
            .send(method, &uri, Some(&auditor), Some(&auditor_csrf), body)
            .await
            .assert_error(StatusCode::FORBIDDEN, Some("insufficient_role"));
    }
    assert_eq!(harness.hits(), 0, "no refused write reached upstream");
}

#[tokio::test]
async fn every_write_goes_through_for_an_owner() {
    let harness = Harness::new().await;
    let ids = ids(&harness);
    let (owner, csrf) = harness.owner().await;
    // Archive last: an archived project refuses the other changes.
    let mut writes = writes(&ids);
    let archive = writes
        .iter()
        .position(|(_, uri, _)| uri.ends_with("/archive"))
        .expect("archive");
    let archive = writes.remove(archive);
    writes.push(archive);
    for (method, uri, body) in writes {
        let answer = harness
            .send(method, &uri, Some(&owner), Some(&csrf), body.as_deref())
            .await;
        assert_eq!(
            answer.status,
            StatusCode::OK,
            "{method} {uri}: {}",
            answer.text
        );
    }
}

#[tokio::test]
async fn every_allowed_read_answers() {
    let harness = Harness::new().await;
    let ids = ids(&harness);
    let (auditor, _) = harness.auditor().await;
    let p = format!("/api/v1/organization/projects/{}", ids.project);
    let groups = "/api/v1/organization/groups";
    let g = format!("{groups}/{}", seed::PLATFORM);
    for uri in [
        "/api/v1/organization/users?limit=5".to_owned(),
        format!("/api/v1/organization/users/{}", ids.user),
        "/api/v1/organization/invites".into(),
        format!("/api/v1/organization/invites/{}", ids.invite),
        "/api/v1/organization/projects?include_archived=true".into(),
        p.clone(),
        format!("{p}/users"),
        format!("{p}/users/{}", ids.member),
        format!("{p}/service_accounts"),
        format!("{p}/service_accounts/{}", ids.account),
        format!("{p}/api_keys?owner_project_access=active"),
        format!("{p}/api_keys/{}", ids.user_key),
        "/api/v1/organization/admin_api_keys?order=desc".into(),
        format!("/api/v1/organization/admin_api_keys/{}", ids.admin_key),
        format!("{p}/rate_limits?limit=2&before=rl-o3-mini"),
        "/api/v1/organization/audit_logs?event_types[]=login.failed&limit=3".into(),
        format!("{groups}?limit=2&order=desc"),
        g.clone(),
        format!("{g}/users?limit=1"),
        format!("{g}/users/{}", ids.platform_member),
        format!("{groups}/{}/roles", seed::SUPPORT),
        format!("{groups}/{}/roles/{}", seed::SUPPORT, seed::GROUP_MANAGER),
        "/api/v1/organization/roles?order=asc".into(),
        format!("/api/v1/organization/roles/{}", seed::AUDIT_READER),
        format!("/api/v1/organization/users/{}/roles", ids.audit_reader),
        format!(
            "/api/v1/organization/users/{}/roles/{}",
            ids.audit_reader,
            seed::AUDIT_READER
        ),
        format!("{p}/groups?limit=5"),
        format!("/api/v1/access/users/{}?format=csv", ids.user),
        format!("/api/v1/access/projects/{}?path=direct", ids.project),
    ] {
        let answer = harness.get(&uri, &auditor).await;
        assert_eq!(answer.status, StatusCode::OK, "GET {uri}: {}", answer.text);
    }
}

#[tokio::test]
async fn attack_requests_never_reach_upstream() {
    let harness = Harness::new().await;
    let ids = ids(&harness);
    let (owner, csrf) = harness.owner().await;
    let p = format!("/api/v1/organization/projects/{}", ids.project);
    let u = format!("/api/v1/organization/users/{}", ids.user);
    // (method, uri, body, expected status)
    let attacks: Vec<(&str, String, Option<&str>, StatusCode)> = vec![
        (
            "GET",
            "/api/v1/organization/users/..%2F..%2Fadmin_api_keys".into(),
            None,
            StatusCode::BAD_REQUEST,
        ),
        (
            "GET",
            "/api/v1/organization/users/%2e%2e".into(),
            None,
            StatusCode::BAD_REQUEST,
        ),
        (
            "GET",
            "/api/v1/organization/users/..".into(),
            None,
            StatusCode::BAD_REQUEST,
        ),
        (
            "GET",
            "/api/v1/organization/certificates".into(),
            None,
            StatusCode::NOT_FOUND,
        ),
        (
            "GET",
            "/api/v1/organization/costs".into(),
            None,
            StatusCode::NOT_FOUND,
        ),
        (
            "GET",
            "/api/v1/organization/usage/completions".into(),
            None,
            StatusCode::NOT_FOUND,
        ),
        (
            "GET",
            format!("{p}/certificates"),
            None,
            StatusCode::NOT_FOUND,
        ),
        (
            "POST",
            format!("{p}/spend_limit"),
            Some("{}"),
            StatusCode::NOT_FOUND,
        ),
        (
            "GET",
            "/api/v1/https://evil.example/v1/organization/users".into(),
            None,
            StatusCode::NOT_FOUND,
        ),
        (
            "GET",
            "/api/v1//organization/users".into(),
            None,
            StatusCode::NOT_FOUND,
        ),
        (
            "GET",
            "/api/v1/organization/users?limit=5&redirect=http://evil.example".into(),
            None,
            StatusCode::BAD_REQUEST,
        ),
        (
            "GET",
            "/api/v1/organization/audit_logs?tenant_only=true".into(),
            None,
            StatusCode::BAD_REQUEST,
        ),
        (
            "GET",
            format!("{u}?expand=secrets"),
            None,
            StatusCode::BAD_REQUEST,
        ),
        (
            "GET",
            "/api/v1/organization/projects?include_archived=yes".into(),
            None,
            StatusCode::BAD_REQUEST,
        ),
        (
            "GET",
            "/api/v1/organization/users?limit=1000".into(),
            None,
            StatusCode::BAD_REQUEST,
        ),
        (
            "GET",
            "/api/v1/organization/projects/proj_a%2Fusers".into(),
            None,
            StatusCode::BAD_REQUEST,
        ),
        (
            "DELETE",
            "/api/v1/organization/admin_api_keys/key_x%00".into(),
            None,
            StatusCode::BAD_REQUEST,
        ),
        (
            "PUT",
            u.clone(),
            Some(r#"{"role":"owner"}"#),
            StatusCode::METHOD_NOT_ALLOWED,
        ),
        (
            "PATCH",
            p.clone(),
            Some(r#"{"name":"x"}"#),
            StatusCode::METHOD_NOT_ALLOWED,
        ),
        (
            "TRACE",
            "/api/v1/organization/users".into(),
            None,
            StatusCode::METHOD_NOT_ALLOWED,
        ),
        (
            "POST",
            u.clone(),
            Some(r#"{"role":"owner","role_id":"role_admin"}"#),
            StatusCode::BAD_REQUEST,
        ),
        (
            "POST",
            "/api/v1/organization/invites".into(),
            Some(
                r#"{"email":"a@b.example","role":"reader","projects":[{"id":"../x","role":"member"}]}"#,
            ),
            StatusCode::BAD_REQUEST,
        ),
        (
            "POST",
            "/api/v1/organization/projects".into(),
            Some("not json"),
            StatusCode::BAD_REQUEST,
        ),
        (
            "POST",
            "/api/v1/organization/projects".into(),
            Some(r#"{"name":"x","external_key_id":"ek"}"#),
            StatusCode::BAD_REQUEST,
        ),
        (
            "POST",
            format!("{p}/rate_limits/rl-gpt-4o"),
            Some(r#"{"max_requests_per_1_minute":-1}"#),
            StatusCode::BAD_REQUEST,
        ),
        (
            "POST",
            "/api/v1/organization/admin_api_keys".into(),
            Some(r#"{"name":"x","expires_in_seconds":0}"#),
            StatusCode::BAD_REQUEST,
        ),
        (
            "POST",
            format!("{p}/users"),
            Some(r#"{"user_id":"user-a/../../x","role":"member"}"#),
            StatusCode::BAD_REQUEST,
        ),
        (
            "DELETE",
            format!("{p}/api_keys/sk-proj-abc"),
            None,
            StatusCode::BAD_REQUEST,
        ),
        // Access management (#16): ids, fields and parameters outside the allow-list.
        (
            "GET",
            "/api/v1/organization/groups/..%2Fusers".into(),
            None,
            StatusCode::BAD_REQUEST,
        ),
        (
            "GET",
            "/api/v1/organization/groups?limit=1001".into(),
            None,
            StatusCode::BAD_REQUEST,
        ),
        (
            "GET",
            "/api/v1/organization/groups?order=random".into(),
            None,
            StatusCode::BAD_REQUEST,
        ),
        (
            "GET",
            "/api/v1/organization/groups?group_type=tenant_group".into(),
            None,
            StatusCode::BAD_REQUEST,
        ),
        (
            "POST",
            "/api/v1/organization/groups".into(),
            Some(r#"{"name":"x","is_scim_managed":true}"#),
            StatusCode::BAD_REQUEST,
        ),
        (
            "POST",
            "/api/v1/organization/groups".into(),
            Some(r#"{"name":"   "}"#),
            StatusCode::BAD_REQUEST,
        ),
        (
            "POST",
            "/api/v1/organization/groups/group_abc/users".into(),
            Some(r#"{"user_id":"../../admin_api_keys"}"#),
            StatusCode::BAD_REQUEST,
        ),
        (
            "DELETE",
            "/api/v1/organization/groups/group_abc/users/user-a%2F..".into(),
            None,
            StatusCode::BAD_REQUEST,
        ),
        (
            "POST",
            "/api/v1/organization/groups/group_abc/roles".into(),
            Some(r#"{"role_id":"owner"}"#),
            StatusCode::BAD_REQUEST,
        ),
        (
            "POST",
            "/api/v1/organization/roles".into(),
            Some(
                r#"{"role_name":"x","permissions":["api.groups.read"],"resource_type":"api.project"}"#,
            ),
            StatusCode::BAD_REQUEST,
        ),
        (
            "POST",
            "/api/v1/organization/roles".into(),
            Some(r#"{"role_name":"x","permissions":["api.groups.read","api.groups.read"]}"#),
            StatusCode::BAD_REQUEST,
        ),
        (
            "POST",
            "/api/v1/organization/roles/role_abc".into(),
            Some(r#"{"predefined_role":true}"#),
            StatusCode::BAD_REQUEST,
        ),
        (
            "DELETE",
            "/api/v1/organization/roles/proj_abc".into(),
            None,
            StatusCode::BAD_REQUEST,
        ),
        (
            "POST",
            format!("{u}/roles"),
            Some(r#"{"role_id":"role_abc","expires_at":1}"#),
            StatusCode::BAD_REQUEST,
        ),
        (
            "POST",
            format!("{p}/groups"),
            Some(r#"{"group_id":"group_abc","role":"owner"}"#),
            StatusCode::BAD_REQUEST,
        ),
        (
            "GET",
            format!("{p}/groups/group_abc?group_type=tenant_group"),
            None,
            StatusCode::BAD_REQUEST,
        ),
        (
            "GET",
            format!("/api/v1/access/users/{}?format=xml", ids.user),
            None,
            StatusCode::BAD_REQUEST,
        ),
        (
            "GET",
            "/api/v1/access/projects/..".into(),
            None,
            StatusCode::BAD_REQUEST,
        ),
    ];
    assert!(attacks.len() >= 20);
    for (method, uri, body, expected) in &attacks {
        let answer = harness
            .send(method, uri, Some(&owner), Some(&csrf), *body)
            .await;
        assert_eq!(answer.status, *expected, "{method} {uri}: {}", answer.text);
        if answer.status != StatusCode::METHOD_NOT_ALLOWED {
            answer.assert_error(*expected, None);
        }
    }
    assert_eq!(
        harness.hits(),
        0,
        "none of the {} attack requests reached upstream",
        attacks.len()
    );
    println!(
        "attack table: {} requests, 0 reached upstream",
        attacks.len()
    );
}
