//! One module per page.

pub mod access;
mod admin_keys;
mod audit_log;
mod group;
mod groups;
mod hygiene;
mod invites;
mod journal;
mod lookups;
mod not_built;
mod offboard;
pub mod project;
mod projects;
mod role_assignments;
mod roles;
mod sign_in;
mod tokens;
mod user;
mod users;
mod writes;

pub use admin_keys::{AdminKeysPage, AdminKeysTable};
pub use audit_log::{
    ActivityChart, AuditEventPage, AuditLogPage, DAY_ROW, EVENT_ROW, EventBody, HistogramChart,
    Timeline, TypePicker, bucket_for, coverage_line,
};
pub use group::{GroupActions, GroupMembersTable, GroupPage, SCIM_REASON};
pub use groups::{GroupForm, GroupsPage, GroupsTable};
pub use hygiene::{
    FindingsTable, HygienePage, Progress, apply as apply_report_line, category_counts, consequence,
};
pub use invites::{InviteForm, InvitesPage, InvitesTable};
pub use journal::{JournalPage, JournalTable};
pub use not_built::NotFound;
pub use offboard::{OffboardPage, PlanView, plan_summary, run_items};
pub use project::{
    AccessFilters, AccessTab, ApiKeysTab, GroupsTab, MembersTab, MembersTable, ProjectGroupsTable,
    ProjectPage, RateLimitsTab, RateLimitsTable, ServiceAccountsTab, rate_limit_update,
};
pub use projects::{ProjectActions, ProjectsPage, ProjectsTable};
pub use role_assignments::{AssignedRolesTable, Principal, RoleAssignments};
pub use roles::{
    BUILT_IN_REASON, PermissionList, PermissionPicker, RoleForm, RolesPage, RolesTable,
    permission_vocabulary, scope_label,
};
pub use sign_in::SignInPage;
pub use tokens::{TokensPage, TokensTable};
pub use user::UserPage;
pub use users::{UsersPage, UsersTable};
