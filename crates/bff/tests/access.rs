//! Effective access (#16): who reaches which project, and why, computed from upstream's lists
//! (the expectations below are written by hand from the seed: see `sandbox::seed` for who is
//! in which group); the honesty of an answer a list is missing from; the CSV; a grant made
//! through Gatehouse showing its role, and a revoke showing at once.

mod common;

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::IntoResponse;
use common::Harness;
use sandbox::seeded as seed;
use serde_json::Value;

/// Users and projects by their index in the seed.
fn user(harness: &Harness, i: usize) -> String {
    harness.sandbox.read(|org| org.users()[i].id.clone())
}

fn project(harness: &Harness, i: usize) -> String {
    harness
        .sandbox
        .read(|org| org.projects()[i].project.id.clone())
}

fn user_index(harness: &Harness, id: &str) -> usize {
    harness.sandbox.read(|org| {
        org.users()
            .iter()
            .position(|u| u.id == id)
            .expect("a seeded user")
    })
}

fn header(answer: &common::Answer, name: &str) -> String {
    answer
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or("-").to_owned()
}

/// `(project, path, role, group)` of each row of a user's access.
fn user_rows(answer: &Value) -> Vec<(String, String, String, String)> {
    answer["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|row| {
            (
                text(&row["project_name"]),
                text(&row["path"]),
                text(&row["role"]),
                text(&row["group_name"]),
            )
        })
        .collect()
}

/// `(role, path, group)` of each of a user's organization roles.
fn organization_roles(answer: &Value) -> Vec<(String, String, String)> {
    let mut roles: Vec<_> = answer["organization_roles"]
        .as_array()
        .expect("roles")
        .iter()
        .map(|row| {
            (
                text(&row["role_name"]),
                text(&row["path"]),
                text(&row["group_name"]),
            )
        })
        .collect();
    roles.sort();
    roles
}

fn owned<const N: usize>(
    rows: [(&str, &str, &str, &str); N],
) -> Vec<(String, String, String, String)> {
    rows.iter()
        .map(|(a, b, c, d)| ((*a).into(), (*b).into(), (*c).into(), (*d).into()))
        .collect()
}

async fn access_of(harness: &Harness, cookie: &str, uri: &str) -> Value {
    let answer = harness.get(uri, cookie).await;
    assert_eq!(answer.status, StatusCode::OK, "GET {uri}: {}", answer.text);
    let json = answer.json();
    assert_eq!(json["complete"], true, "{json}");
    assert_eq!(json["lists_read"], json["lists"], "{json}");
    json
}

#[tokio::test]
async fn a_users_access_names_every_path_on_the_seed() {
    let harness = Harness::new().await;
    let (auditor, _) = harness.auditor().await;
    let at = |i| format!("/api/v1/access/users/{}", user(&harness, i));

    // Barbara Liskov (3), a reader: a member of the default project, of Alpha through
    // Platform Engineering (granted outside Gatehouse, so its role is unknown), and Audit
    // Reader directly.
    let barbara = access_of(&harness, &auditor, &at(3)).await;
    assert_eq!(barbara["object"], "access.user");
    assert_eq!(barbara["name"], "Barbara Liskov");
    assert_eq!(
        user_rows(&barbara),
        owned([
            ("Alpha", "group", "-", "Platform Engineering"),
            ("Default project", "direct", "member", "-"),
        ])
    );
    assert_eq!(
        organization_roles(&barbara),
        [("Audit Reader".into(), "direct".into(), "-".into())]
    );

    // Edsger Torvalds (4), in two groups: Alpha through Platform Engineering, Data Science
    // directly; API Group Manager through Support Leads.
    let edsger = access_of(&harness, &auditor, &at(4)).await;
    assert_eq!(
        user_rows(&edsger),
        owned([
            ("Alpha", "group", "-", "Platform Engineering"),
            ("Data Science", "direct", "member", "-"),
        ])
    );
    assert_eq!(
        organization_roles(&edsger),
        [(
            "API Group Manager".into(),
            "group".into(),
            "Support Leads".into()
        )]
    );

    // Donald Knuth (6), in the identity provider's group: Support Bot through it.
    let donald = access_of(&harness, &auditor, &at(6)).await;
    assert_eq!(
        user_rows(&donald),
        owned([
            ("Default project", "direct", "member", "-"),
            ("Support Bot", "group", "-", "Okta · Finance"),
        ])
    );
    assert!(organization_roles(&donald).is_empty());

    // Grace Hamilton (1), an organization owner: every active project as its owner (not the
    // archived Legacy and Pilot), Data Science directly as well.
    let grace = access_of(&harness, &auditor, &at(1)).await;
    assert_eq!(
        user_rows(&grace),
        owned([
            ("Alpha", "owner", "owner", "-"),
            ("Data Science", "owner", "owner", "-"),
            ("Data Science", "direct", "member", "-"),
            ("Default project", "owner", "owner", "-"),
            ("Mobile", "owner", "owner", "-"),
            ("Search", "owner", "owner", "-"),
            ("Support Bot", "owner", "owner", "-"),
        ])
    );
    assert_eq!(
        organization_roles(&grace),
        [(
            "API Group Manager".into(),
            "group".into(),
            "Support Leads".into()
        )]
    );
}

/// `(user index, path, role, group)` of each row of a project's access, sorted.
fn project_rows(harness: &Harness, answer: &Value) -> Vec<(usize, String, String, String)> {
    let mut rows: Vec<_> = answer["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|row| {
            (
                user_index(harness, row["user_id"].as_str().expect("id")),
                text(&row["path"]),
                text(&row["role"]),
                text(&row["group_name"]),
            )
        })
        .collect();
    rows.sort();
    rows
}

fn expected(rows: &[(usize, &str, &str, &str)]) -> Vec<(usize, String, String, String)> {
    let mut rows: Vec<_> = rows
        .iter()
        .map(|(i, a, b, c)| (*i, (*a).into(), (*b).into(), (*c).into()))
        .collect();
    rows.sort();
    rows
}

/// The seed's organization owners, by index.
const OWNERS: [usize; 8] = [0, 1, 7, 13, 19, 25, 31, 37];

#[tokio::test]
async fn a_projects_access_names_everyone_who_reaches_it_on_the_seed() {
    let harness = Harness::new().await;
    let (auditor, _) = harness.auditor().await;

    // Alpha (1): the owners, its members (5 its owner), Platform Engineering's three.
    let alpha = access_of(
        &harness,
        &auditor,
        &format!("/api/v1/access/projects/{}", project(&harness, 1)),
    )
    .await;
    assert_eq!(alpha["object"], "access.project");
    assert_eq!(alpha["name"], "Alpha");
    let mut rows: Vec<(usize, &str, &str, &str)> =
        OWNERS.iter().map(|&i| (i, "owner", "owner", "-")).collect();
    rows.push((5, "direct", "owner", "-"));
    rows.extend([8, 11, 14, 17, 20, 23].map(|i| (i, "direct", "member", "-")));
    rows.extend([2, 3, 4].map(|i| (i, "group", "-", "Platform Engineering")));
    assert_eq!(project_rows(&harness, &alpha), expected(&rows));

    // Support Bot (2): the owners (13, 19, 25, 31 and 37 are members too), its members, and
    // Donald through the identity provider's group.
    let support = access_of(
        &harness,
        &auditor,
        &format!("/api/v1/access/projects/{}", project(&harness, 2)),
    )
    .await;
    let mut rows: Vec<(usize, &str, &str, &str)> =
        OWNERS.iter().map(|&i| (i, "owner", "owner", "-")).collect();
    rows.push((10, "direct", "owner", "-"));
    rows.extend([13, 16, 19, 22, 25, 28, 31, 34, 37].map(|i| (i, "direct", "member", "-")));
    rows.push((6, "group", "-", "Okta · Finance"));
    assert_eq!(project_rows(&harness, &support), expected(&rows));

    // Filters: by path and by role.
    let only_groups = access_of(
        &harness,
        &auditor,
        &format!(
            "/api/v1/access/projects/{}?path=group",
            project(&harness, 2)
        ),
    )
    .await;
    assert_eq!(
        project_rows(&harness, &only_groups),
        expected(&[(6, "group", "-", "Okta · Finance")])
    );
    let only_owners = access_of(
        &harness,
        &auditor,
        &format!(
            "/api/v1/access/projects/{}?role=owner",
            project(&harness, 1)
        ),
    )
    .await;
    assert_eq!(
        only_owners["rows"].as_array().expect("rows").len(),
        OWNERS.len() + 1
    );
}

#[tokio::test]
async fn a_grant_made_through_gatehouse_shows_its_role_and_a_revoke_shows_at_once() {
    let harness = Harness::new().await;
    let (owner, csrf) = harness.owner().await;
    let search = project(&harness, 3);
    let uri = format!("/api/v1/access/projects/{search}?path=group");
    let before = access_of(&harness, &owner, &uri).await;
    assert!(
        before["rows"].as_array().expect("rows").is_empty(),
        "{before}"
    );

    let grants = format!("/api/v1/organization/projects/{search}/groups");
    let body = format!(
        r#"{{"group_id":"{}","role":"{}"}}"#,
        seed::SUPPORT,
        seed::PROJECT_OWNER
    );
    let granted = harness
        .send("POST", &grants, Some(&owner), Some(&csrf), Some(&body))
        .await;
    assert_eq!(granted.status, StatusCode::OK, "{}", granted.text);

    // Cached a moment ago, but the write moved the journal on: read again.
    let after = access_of(&harness, &owner, &uri).await;
    let mut rows = expected(&[4, 5, 1].map(|i| (i, "group", seed::PROJECT_OWNER, "Support Leads")));
    rows.sort();
    assert_eq!(project_rows(&harness, &after), rows);
    assert!(
        after["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .all(|row| row["role_name"] == "Project Owner"),
        "{after}"
    );

    let revoked = harness
        .send(
            "DELETE",
            &format!("{grants}/{}", seed::SUPPORT),
            Some(&owner),
            Some(&csrf),
            None,
        )
        .await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.text);
    let gone = access_of(&harness, &owner, &uri).await;
    assert!(gone["rows"].as_array().expect("rows").is_empty(), "{gone}");

    // Both writes are in the journal, each with its request and its result.
    let rows = harness.journal_rows(4).await;
    let paths: Vec<(&str, &str, &str)> = rows
        .iter()
        .map(|r| (r.phase.as_str(), r.method.as_str(), r.path.as_str()))
        .collect();
    let revoke_path = format!("/organization/projects/{search}/groups/{}", seed::SUPPORT);
    let grant_path = format!("/organization/projects/{search}/groups");
    assert_eq!(
        paths,
        [
            ("result", "DELETE", revoke_path.as_str()),
            ("request", "DELETE", revoke_path.as_str()),
            ("result", "POST", grant_path.as_str()),
            ("request", "POST", grant_path.as_str()),
        ]
    );
}

#[tokio::test]
async fn a_list_that_cannot_be_read_makes_the_answer_incomplete_never_wrong() {
    let mut harness = Harness::new().await;
    let (auditor, _) = harness.auditor().await;
    let edsger = user(&harness, 4);
    // The same sandbox, but Support Leads' members cannot be read.
    let broken = format!("/v1/organization/groups/{}/users", seed::SUPPORT);
    let app = sandbox::app(harness.sandbox.clone()).layer(axum::middleware::from_fn(
        move |request: Request, next: Next| {
            let broken = broken.clone();
            async move {
                if request.uri().path() == broken {
                    return (StatusCode::INTERNAL_SERVER_ERROR, "down").into_response();
                }
                next.run(request).await
            }
        },
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}/v1", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app.into_make_service()).await });
    harness.upstream_at(&base);

    let answer = harness
        .get(&format!("/api/v1/access/users/{edsger}"), &auditor)
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let json = answer.json();
    assert_eq!(json["complete"], false, "{json}");
    let (read, lists) = (
        json["lists_read"].as_u64().expect("read"),
        json["lists"].as_u64().expect("lists"),
    );
    assert_eq!(read + 1, lists, "{json}");
    let failures = json["failures"].as_array().expect("failures");
    assert_eq!(failures.len(), 1, "{json}");
    assert!(
        failures[0].as_str().expect("text").contains(seed::SUPPORT),
        "{json}"
    );
    // What was read is still right: Alpha through Platform Engineering, Data Science directly;
    // the role held through Support Leads is missing, not guessed.
    assert_eq!(
        user_rows(&json),
        owned([
            ("Alpha", "group", "-", "Platform Engineering"),
            ("Data Science", "direct", "member", "-"),
        ])
    );
    assert!(organization_roles(&json).is_empty(), "{json}");

    let csv = harness
        .get(
            &format!("/api/v1/access/users/{edsger}?format=csv"),
            &auditor,
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        header(&csv, "content-disposition").contains("-incomplete.csv"),
        "{:?}",
        csv.headers
    );
}

#[tokio::test]
async fn the_csv_has_one_line_per_path_and_role() {
    let harness = Harness::new().await;
    let (auditor, _) = harness.auditor().await;
    let barbara = user(&harness, 3);
    let answer = harness
        .get(
            &format!("/api/v1/access/users/{barbara}?format=csv"),
            &auditor,
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(header(&answer, "content-type"), "text/csv; charset=utf-8");
    let lines: Vec<&str> = answer.text.lines().collect();
    assert_eq!(
        lines[0],
        "scope,user_id,user_name,user_email,project_id,project_name,role,role_name,path,why,group_id,group_name"
    );
    assert_eq!(lines.len(), 4, "{}", answer.text);
    assert!(lines[1].starts_with(&format!("project,{barbara},Barbara Liskov,")));
    assert!(lines[1].ends_with(&format!(
        ",Alpha,,,group,through group Platform Engineering,{},Platform Engineering",
        seed::PLATFORM
    )));
    assert!(lines[3].starts_with(&format!(
        "organization,{barbara},Barbara Liskov,,,,{}",
        seed::AUDIT_READER
    )));
}

#[tokio::test]
async fn access_needs_a_session_and_checks_its_parameters() {
    let harness = Harness::new().await;
    let (auditor, _) = harness.auditor().await;
    let barbara = user(&harness, 3);
    harness
        .send(
            "GET",
            &format!("/api/v1/access/users/{barbara}"),
            None,
            None,
            None,
        )
        .await
        .assert_error(StatusCode::UNAUTHORIZED, Some("unauthenticated"));
    for query in [
        "?path=sideways",
        "?refresh=1",
        "?format=xml",
        "?expand=keys",
    ] {
        harness
            .get(&format!("/api/v1/access/users/{barbara}{query}"), &auditor)
            .await
            .assert_error(StatusCode::BAD_REQUEST, None);
    }
    harness
        .get("/api/v1/access/users/user-nobodyatall", &auditor)
        .await
        .assert_error(StatusCode::NOT_FOUND, None);
    assert_eq!(
        harness.hits(),
        1,
        "only the unknown user's people list was read"
    );
}

/// Serves the harness's sandbox with `rewrite` applied to the JSON answer of `path`, and points
/// the BFF at it.
async fn with_answer_rewritten(harness: &mut Harness, path: String, rewrite: fn(&mut Value)) {
    let app = sandbox::app(harness.sandbox.clone()).layer(axum::middleware::from_fn(
        move |request: Request, next: Next| {
            let path = path.clone();
            async move {
                let hit = request.uri().path() == path;
                let response = next.run(request).await;
                if !hit {
                    return response;
                }
                let (parts, body) = response.into_parts();
                let bytes = axum::body::to_bytes(body, 1 << 24).await.expect("body");
                let mut json: Value = serde_json::from_slice(&bytes).expect("json");
                rewrite(&mut json);
                let mut response = axum::Json(json).into_response();
                *response.status_mut() = parts.status;
                response
            }
        },
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}/v1", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app.into_make_service()).await });
    harness.upstream_at(&base);
}

#[tokio::test]
async fn more_promised_without_a_cursor_is_incomplete_not_complete() {
    let mut harness = Harness::new().await;
    let (auditor, _) = harness.auditor().await;
    let edsger = user(&harness, 4);
    with_answer_rewritten(&mut harness, "/v1/organization/groups".into(), |json| {
        json["has_more"] = Value::Bool(true);
        json["next"] = Value::Null;
    })
    .await;
    let answer = harness
        .get(&format!("/api/v1/access/users/{edsger}"), &auditor)
        .await
        .json();
    assert_eq!(answer["complete"], false, "{answer}");
    assert!(
        answer["failures"][0]
            .as_str()
            .is_some_and(|f| f.starts_with("the groups: ") && f.contains("no cursor")),
        "{answer}"
    );
}

#[tokio::test]
async fn a_role_upstream_says_is_inherited_is_shown_under_its_group_once() {
    let mut harness = Harness::new().await;
    let (auditor, _) = harness.auditor().await;
    let edsger = user(&harness, 4);
    // Upstream may list, among a user's roles, one inherited through a group.
    with_answer_rewritten(
        &mut harness,
        format!("/v1/organization/users/{edsger}/roles"),
        |json| {
            json["data"] = serde_json::json!([{
                "id": seed::GROUP_MANAGER,
                "name": "API Group Manager",
                "permissions": ["api.groups.read", "api.groups.write"],
                "resource_type": "api.organization",
                "predefined_role": false,
                "assignment_sources": [{"principal_id": seed::SUPPORT, "principal_type": "group"}]
            }]);
        },
    )
    .await;
    let answer = access_of(
        &harness,
        &auditor,
        &format!("/api/v1/access/users/{edsger}"),
    )
    .await;
    assert_eq!(
        organization_roles(&answer),
        [(
            "API Group Manager".into(),
            "group".into(),
            "Support Leads".into()
        )]
    );
}

#[tokio::test]
async fn views_share_the_organizations_lists_and_a_cached_answer_needs_no_turn() {
    let harness = Harness::new().await;
    let (auditor, _) = harness.auditor().await;
    let at = |i| format!("/api/v1/access/users/{}", user(&harness, i));
    access_of(&harness, &auditor, &at(3)).await;
    let first = harness.hits();
    // Another person: only their own roles are read (and their groups' roles, cached or not).
    access_of(&harness, &auditor, &at(8)).await;
    assert_eq!(
        harness.hits() - first,
        1,
        "the second view reads only the user's own roles"
    );
    // A refresh right after reads nothing again.
    let before = harness.hits();
    access_of(&harness, &auditor, &format!("{}?refresh=true", at(8))).await;
    assert_eq!(
        harness.hits(),
        before,
        "a refresh within 10 s reads nothing"
    );

    // With every turn taken (two key-hygiene reports running), what is cached still answers;
    // what needs upstream is a 429.
    let turns = harness
        .state
        .reports
        .clone()
        .acquire_many_owned(u32::try_from(gatehouse::REPORTS_AT_ONCE).expect("small"))
        .await
        .expect("turns");
    access_of(&harness, &auditor, &at(3)).await;
    harness
        .get(&at(5), &auditor)
        .await
        .assert_error(StatusCode::TOO_MANY_REQUESTS, Some("reports_busy"));
    drop(turns);
    access_of(&harness, &auditor, &at(5)).await;
}

#[tokio::test]
async fn an_archived_project_has_no_access_to_show() {
    let harness = Harness::new().await;
    let (auditor, _) = harness.auditor().await;
    // Legacy (6) is archived in the seed.
    let legacy = access_of(
        &harness,
        &auditor,
        &format!("/api/v1/access/projects/{}", project(&harness, 6)),
    )
    .await;
    assert_eq!(legacy["archived"], true, "{legacy}");
    assert_eq!(legacy["rows"], serde_json::json!([]), "{legacy}");
}

#[tokio::test]
async fn with_progress_the_answer_streams_how_far_it_has_read() {
    let harness = Harness::new().await;
    let (auditor, _) = harness.auditor().await;
    let grace = format!("/api/v1/access/users/{}", user(&harness, 1));
    let answer = harness
        .get(&format!("{grace}?progress=true"), &auditor)
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(header(&answer, "content-type"), "application/x-ndjson");
    let lines: Vec<Value> = answer
        .text
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect();
    let (last, steps) = lines.split_last().expect("lines");
    assert_eq!(last["type"], "done", "{last}");
    assert!(steps.len() >= 10, "a line per list read: {}", steps.len());
    let mut read_before = 0;
    for step in steps {
        assert_eq!(step["type"], "progress", "{step}");
        let (read, of) = (
            step["lists_read"].as_u64().expect("read"),
            step["lists"].as_u64().expect("lists"),
        );
        assert!(read > read_before && read <= of, "{step}");
        read_before = read;
    }
    let done = &last["access"];
    assert_eq!(done["lists_read"].as_u64(), Some(read_before), "{done}");
    assert_eq!(done["complete"], true);
    // The same answer as without progress (read from the cache now).
    let whole = access_of(&harness, &auditor, &grace).await;
    assert_eq!(done["rows"], whole["rows"]);

    harness
        .get(&format!("{grace}?progress=true&format=csv"), &auditor)
        .await
        .assert_error(StatusCode::BAD_REQUEST, None);
    let unknown = harness
        .get(
            "/api/v1/access/users/user-nobodyatall?progress=true",
            &auditor,
        )
        .await;
    let failed: Value =
        serde_json::from_str(unknown.text.lines().last().expect("a line")).expect("json");
    assert_eq!(failed["type"], "failed", "{failed}");
    assert_eq!(failed["status"], 404);
}
