-- A registration-shaped transaction for pgbench: the case counter row update, then the
-- case, complainant and "registered" event inserts, into Tousu's own tables (indexes,
-- constraints and foreign keys as migrated) of the benchmark's database.
-- Variables (pgbench -D): org, policy, usr. Text lengths are those of a sealed complaint.
-- A colon followed by a letter or digit would be read as a variable: literals avoid it.
BEGIN;
INSERT INTO cases_casecounter (org_id, period, value) VALUES (:org, 'pgbench', 1)
    ON CONFLICT (org_id, period) DO UPDATE SET value = cases_casecounter.value + 1
    RETURNING value \gset
INSERT INTO cases_case (
    org_id, number, policy_version_id, kind, channel, category, complexity, status,
    paused_from, received_at, registered_at, reporter_language, registered_by_id,
    first_contact_owner_id, proposed_co_departments, proposed_referral,
    involved_departments, content, demands, sealed_key, legal_hold, fields, missing_fields,
    validity, responsibility, satisfaction, reply_channel, reopen_count, review_level,
    last_seq, last_hash, updated_at, missed_deadline
) VALUES (
    :org, 'PGB-' || :value, :policy, 'complaint', 'phone', 'fees', 'general', 'registered',
    '', now(), now(), '', :usr, :usr, '[]', '', 0,
    's1' || ':' || 'q6Vb1oPZl0nX2iJmHc3L8kTg7Rr4dWsYtUe5fAa9xQz0yBv1Nw2Mu3Kj4Hi5Gh6Fg7Ed8Dc9Cb0Ba1Za2Yb3Xc4Wd5Ve6Uf7Tg8Sh9Ri0Qj1Pk2Ol3Nm4Mn5Lo6Kp7Jq8Ir9Hs0Gt1Fu2Ev3Dw4Cx5By6Az7',
    's1' || ':' || 'Hc3L8kTg7Rr4dWsYtUe5fAa9xQz0yBv1Nw2Mu3Kj4Hi5Gh6Fg7Ed8Dc9C',
    's1' || ':' || 'Zl0nX2iJmHc3L8kTg7Rr4dWsYtUe5fAa9xQz0yBv1Nw2Mu3Kj4Hi5Gh6Fg7Ed8Dc9Cb0Ba1Za2',
    false, '{}', '["complainant.address"]', '', '', '', '', 0, 0, 1,
    'b021ac81b271dc74c8b7765f12fda8e3dd6d3885271e555a5b56f68e76833f16', now(), false
) RETURNING id \gset
INSERT INTO cases_party (
    case_id, role, anonymous, name, phone, email, address, employer, id_number, relation,
    phone_index, email_index, id_index, consent_share_identity
) VALUES (
    :id, 'complainant', false, 's1' || ':' || 'K1JzObeIB7gaToHPZkSToMas7h/shY7KfXBxnP/RtjXr0H9e6g==',
    's1' || ':' || '+cOu2gsZ4LkTgsamZn4sghr3W7zJu2FIP/4r4moDYirF2bWQyLF2', '', '', '', '', '',
    'k1' || ':' || '8c2efcacaf59d9428ce05332fcd8d49c', '', '', false
);
INSERT INTO cases_event (
    case_id, seq, type, actor_id, at, from_status, to_status, reason_code, data,
    prev_hash, hash
) VALUES (
    :id, 1, 'registered', :usr, now(), '', 'registered', '',
    replace('{"kind": "complaint", "channel": "phone", "category": "fees", "complexity": "general", "received_at": "2026-12-07T18~04~06.890175+00~00", "policy_version": 1, "proposed_department": null, "proposed_referral": "", "missing_fields": ["complainant.address"], "deadlines": [{"stage": "acceptance", "due_at": "2026-12-15T01~30~00+00~00"}, {"stage": "reply", "due_at": "2026-12-28T09~30~00+00~00"}]}', '~', ':')::jsonb,
    '', '23a081203f626eb6ec9df5c9281e5b435ba7690277773f33c66d213b1c6ab429'
);
END;
