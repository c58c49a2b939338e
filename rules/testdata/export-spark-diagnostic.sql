-- grantsweep rules sha256:27827e6ce7b81b564ca101bc, as SQL (Spark SQL). Causes and families are grantsweep's ids.
-- Input: diagnostic shape, from signin_records
WITH
rules AS (
  SELECT * FROM (VALUES
    (1, 'binding_header_empty', 'binding'),
    (2, 'binding_hash_mismatch', 'binding'),
    (3, 'session_key_proof_failed', 'binding'),
    (4, 'bound_token_outside_broker', 'binding'),
    (5, 'token_protection_unbound', 'binding'),
    (6, 'device_not_found', 'binding'),
    (7, 'expired_inactivity', 'expired'),
    (8, 'expired_max_lifetime', 'expired'),
    (9, 'expired_spa_lifetime', 'expired'),
    (10, 'expired_signin_frequency', 'expired'),
    (11, 'revoked', 'revoked'),
    (12, 'revoked_password_change', 'revoked'),
    (13, 'code_invalid', 'client_error'),
    (14, 'scope_not_granted', 'client_error'),
    (15, 'interaction_required', 'client_error'),
    (16, 'refresh_token_malformed', 'client_error'),
    (17, 'redirect_uri_mismatch', 'client_error'),
    (18, 'wrong_tenant', 'client_error'),
    (19, 'wrong_client', 'client_error'),
    (20, 'grant_invalid', 'unspecified'),
    (21, 'invalid_grant_other', 'unspecified')
  ) AS t(rule_order, cause, family)
),
families AS (
  SELECT * FROM (VALUES
    (1, 'binding'),
    (2, 'expired'),
    (3, 'revoked'),
    (4, 'client_error'),
    (5, 'unspecified')
  ) AS t(family_order, family)
),
src AS (
  SELECT * FROM signin_records
),
signins AS (
  SELECT
    NULLIF(CAST(get_json_object(to_json(properties), '$.id') AS STRING), '') AS id,
    coalesce(try_cast(get_json_object(to_json(properties), '$.createdDateTime') AS TIMESTAMP), try_cast(time AS TIMESTAMP)) AS event_time,
    coalesce(lower(NULLIF(CAST(get_json_object(to_json(properties), '$.userPrincipalName') AS STRING), '')), NULLIF(CAST(get_json_object(to_json(properties), '$.servicePrincipalName') AS STRING), '')) AS user_name,
    coalesce(NULLIF(CAST(get_json_object(to_json(properties), '$.userId') AS STRING), ''), NULLIF(CAST(get_json_object(to_json(properties), '$.servicePrincipalId') AS STRING), '')) AS user_id,
    coalesce(coalesce(lower(NULLIF(CAST(get_json_object(to_json(properties), '$.userPrincipalName') AS STRING), '')), NULLIF(CAST(get_json_object(to_json(properties), '$.servicePrincipalName') AS STRING), '')), coalesce(NULLIF(CAST(get_json_object(to_json(properties), '$.userId') AS STRING), ''), NULLIF(CAST(get_json_object(to_json(properties), '$.servicePrincipalId') AS STRING), ''))) AS user_key,
    coalesce(NULLIF(CAST(get_json_object(to_json(properties), '$.appDisplayName') AS STRING), ''), NULLIF(CAST(get_json_object(to_json(properties), '$.servicePrincipalName') AS STRING), '')) AS app,
    NULLIF(CAST(get_json_object(to_json(properties), '$.appId') AS STRING), '') AS app_id,
    coalesce(coalesce(NULLIF(CAST(get_json_object(to_json(properties), '$.appDisplayName') AS STRING), ''), NULLIF(CAST(get_json_object(to_json(properties), '$.servicePrincipalName') AS STRING), '')), NULLIF(CAST(get_json_object(to_json(properties), '$.appId') AS STRING), '')) AS app_key,
    coalesce(NULLIF(CAST(get_json_object(to_json(properties), '$.ipAddress') AS STRING), ''), NULLIF(CAST(callerIpAddress AS STRING), '')) AS ip,
    coalesce(get_json_object(to_json(properties), '$.location.countryOrRegion'), NULLIF(CAST(location AS STRING), '')) AS country,
    NULLIF(CAST(get_json_object(to_json(properties), '$.clientAppUsed') AS STRING), '') AS client_app,
    coalesce(CASE lower(NULLIF(CAST(category AS STRING), '')) WHEN 'signinlogs' THEN 'interactiveUser' WHEN 'noninteractiveusersigninlogs' THEN 'nonInteractiveUser' WHEN 'aadnoninteractiveusersigninlogs' THEN 'nonInteractiveUser' WHEN 'serviceprincipalsigninlogs' THEN 'servicePrincipal' WHEN 'aadserviceprincipalsigninlogs' THEN 'servicePrincipal' WHEN 'microsoftserviceprincipalsigninlogs' THEN 'servicePrincipal' WHEN 'managedidentitysigninlogs' THEN 'managedIdentity' WHEN 'aadmanagedidentitysigninlogs' THEN 'managedIdentity' WHEN 'adfssigninlogs' THEN 'adfs' END,
      CASE lower(replace(NULLIF(CAST(get_json_object(to_json(properties), '$.signInEventTypes[0]') AS STRING), ''), ' ', '')) WHEN 'noninteractiveuser' THEN 'nonInteractiveUser' WHEN 'noninteractive' THEN 'nonInteractiveUser' WHEN 'interactiveuser' THEN 'interactiveUser' WHEN 'interactive' THEN 'interactiveUser' WHEN 'serviceprincipal' THEN 'servicePrincipal' WHEN 'managedidentity' THEN 'managedIdentity' END,
      CASE lower(NULLIF(CAST(get_json_object(to_json(properties), '$.isInteractive') AS STRING), '')) WHEN 'true' THEN 'interactiveUser' WHEN 'false' THEN 'nonInteractiveUser' END) AS sign_in_type,
    coalesce(try_cast(trim(CAST(NULLIF(CAST(resultType AS STRING), '') AS STRING)) AS BIGINT), try_cast(trim(CAST(get_json_object(to_json(properties), '$.status.errorCode') AS STRING)) AS BIGINT), try_cast(trim(CAST(get_json_object(to_json(properties), '$.resultType') AS STRING)) AS BIGINT), 0) AS code,
    get_json_object(to_json(properties), '$.status.failureReason') AS failure_reason,
    NULLIF(CAST(resultDescription AS STRING), '') AS result_description,
    get_json_object(to_json(properties), '$.status.additionalDetails') AS additional_details
  FROM src
  WHERE coalesce(lower(NULLIF(CAST(category AS STRING), '')), '') NOT IN ('auditlogs', 'provisioninglogs', 'aadprovisioninglogs', 'riskyusers', 'aadriskyusers', 'userriskevents', 'aaduserriskevents', 'riskyserviceprincipals', 'aadriskyserviceprincipals', 'serviceprincipalriskevents', 'aadserviceprincipalriskevents', 'networkaccesstrafficlogs', 'networkaccesstraffic', 'enrichedoffice365auditlogs', 'microsoftgraphactivitylogs', 'remotenetworkhealthlogs', 'b2crequestlogs')
),
candidates AS (
  SELECT *, lower(regexp_replace(coalesce(failure_reason, ''), concat('[', chr(32), chr(9), chr(10), chr(11), chr(12), chr(13), chr(133), chr(160), ']+'), ' ')) AS t_reason, lower(regexp_replace(coalesce(result_description, ''), concat('[', chr(32), chr(9), chr(10), chr(11), chr(12), chr(13), chr(133), chr(160), ']+'), ' ')) AS t_description, lower(regexp_replace(coalesce(additional_details, ''), concat('[', chr(32), chr(9), chr(10), chr(11), chr(12), chr(13), chr(133), chr(160), ']+'), ' ')) AS t_details
  FROM signins WHERE code IN (26000, 50132, 50133, 50173, 54005, 70000, 70008, 70043, 70044, 70045, 70046, 135011, 140001, 500128, 530084, 700001, 700003, 700004, 700005, 700007, 700009, 700081, 700082, 700083, 700084, 1000026, 1000036, 1000039, 1400011, 7000011, 7000012, 7000013, 7000014, 7000015, 7000016, 7000017, 7000018, 7000019, 7000020, 7000021, 7000022, 7000023, 7000024, 7000025, 7000026, 7000115, 7000220)
),
classified AS (
  SELECT *, CASE
    WHEN code = 7000018 OR (code = 70000 AND (instr(t_reason, 'token binding header is empty') > 0 OR instr(t_description, 'token binding header is empty') > 0 OR instr(t_details, 'token binding header is empty') > 0) AND NOT (instr(t_reason, 'token binding hash does not match') > 0 OR instr(t_description, 'token binding hash does not match') > 0 OR instr(t_details, 'token binding hash does not match') > 0)) THEN 1 -- binding_header_empty
    WHEN code = 7000019 OR (code = 70000 AND (instr(t_reason, 'token binding hash does not match') > 0 OR instr(t_description, 'token binding hash does not match') > 0 OR instr(t_details, 'token binding hash does not match') > 0) AND NOT (instr(t_reason, 'token binding header is empty') > 0 OR instr(t_description, 'token binding header is empty') > 0 OR instr(t_details, 'token binding header is empty') > 0)) THEN 2 -- binding_hash_mismatch
    WHEN code IN (7000016, 140001, 500128, 1400011, 1000026, 1000039) OR (code = 70000 AND (instr(t_reason, 'not signed with session key') > 0 OR instr(t_description, 'not signed with session key') > 0 OR instr(t_details, 'not signed with session key') > 0)) THEN 3 -- session_key_proof_failed
    WHEN code IN (7000017, 7000115, 1000036) THEN 4 -- bound_token_outside_broker
    WHEN code = 530084 THEN 5 -- token_protection_unbound
    WHEN code IN (700003, 135011) THEN 6 -- device_not_found
    WHEN code IN (700082, 70008) OR (code = 70000 AND (instr(t_reason, 'expired due to inactivity') > 0 OR instr(t_description, 'expired due to inactivity') > 0 OR instr(t_details, 'expired due to inactivity') > 0)) THEN 7 -- expired_inactivity
    WHEN code IN (700081, 700083) OR (code = 70000 AND (instr(t_reason, 'expired due to maximum lifetime') > 0 OR instr(t_description, 'expired due to maximum lifetime') > 0 OR instr(t_details, 'expired due to maximum lifetime') > 0)) THEN 8 -- expired_max_lifetime
    WHEN code = 700084 OR (code = 70000 AND (instr(t_reason, 'single page app (spa)') > 0 OR instr(t_description, 'single page app (spa)') > 0 OR instr(t_details, 'single page app (spa)') > 0)) THEN 9 -- expired_spa_lifetime
    WHEN code IN (70043, 70044, 70045, 70046) OR (code = 70000 AND (instr(t_reason, 'sign-in frequency') > 0 OR instr(t_description, 'sign-in frequency') > 0 OR instr(t_details, 'sign-in frequency') > 0)) THEN 10 -- expired_signin_frequency
    WHEN code = 50173 OR (code = 70000 AND (instr(t_reason, 'revoked') > 0 OR instr(t_description, 'revoked') > 0 OR instr(t_details, 'revoked') > 0)) THEN 11 -- revoked
    WHEN code IN (50132, 50133) THEN 12 -- revoked_password_change
    WHEN code = 54005 OR (code = 70000 AND (instr(t_reason, '\'code\' parameter is not valid') > 0 OR instr(t_description, '\'code\' parameter is not valid') > 0 OR instr(t_details, '\'code\' parameter is not valid') > 0 OR instr(t_reason, 'authorization code is malformed') > 0 OR instr(t_description, 'authorization code is malformed') > 0 OR instr(t_details, 'authorization code is malformed') > 0 OR instr(t_reason, 'code has expired') > 0 OR instr(t_description, 'code has expired') > 0 OR instr(t_details, 'code has expired') > 0)) THEN 13 -- code_invalid
    WHEN (code = 70000 AND (instr(t_reason, 'scopes requested are unauthorized or expired') > 0 OR instr(t_description, 'scopes requested are unauthorized or expired') > 0 OR instr(t_details, 'scopes requested are unauthorized or expired') > 0)) THEN 14 -- scope_not_granted
    WHEN code = 26000 OR (code = 70000 AND (instr(t_reason, 'user interaction is required') > 0 OR instr(t_description, 'user interaction is required') > 0 OR instr(t_details, 'user interaction is required') > 0)) THEN 15 -- interaction_required
    WHEN (code = 70000 AND (instr(t_reason, '\'refresh_token\' or \'assertion\' is not valid') > 0 OR instr(t_description, '\'refresh_token\' or \'assertion\' is not valid') > 0 OR instr(t_details, '\'refresh_token\' or \'assertion\' is not valid') > 0 OR instr(t_reason, 'refresh token is malformed') > 0 OR instr(t_description, 'refresh token is malformed') > 0 OR instr(t_details, 'refresh token is malformed') > 0)) THEN 16 -- refresh_token_malformed
    WHEN (code = 70000 AND (instr(t_reason, '\'redirect_uri\' is not valid') > 0 OR instr(t_description, '\'redirect_uri\' is not valid') > 0 OR instr(t_details, '\'redirect_uri\' is not valid') > 0)) THEN 17 -- redirect_uri_mismatch
    WHEN code IN (7000012, 7000015, 700005) THEN 18 -- wrong_tenant
    WHEN code IN (700007, 7000220) THEN 19 -- wrong_client
    WHEN code = 70000 THEN 20 -- grant_invalid
    WHEN code IN (7000011, 7000013, 7000014, 7000020, 7000021, 7000022, 7000023, 7000024, 7000025, 7000026, 700001, 700004, 700009) THEN 21 -- invalid_grant_other
    ELSE 0
  END AS rule_order
  FROM candidates
),
ranked AS (
  SELECT *, row_number() OVER (PARTITION BY id ORDER BY event_time, rule_order) AS copy
  FROM classified WHERE rule_order > 0
),
in_scope AS (
  SELECT r.*, k.cause, k.family FROM ranked r JOIN rules k ON k.rule_order = r.rule_order
  WHERE r.id IS NULL OR r.copy = 1
)
SELECT part, section, rule_order, family, cause, key1, key2, events, users, apps, ips, first_seen, last_seen FROM (
  SELECT 1 AS part, 'in_scope' AS section, CAST(NULL AS BIGINT) AS rule_order, CAST(NULL AS STRING) AS family, CAST(NULL AS STRING) AS cause, CAST(NULL AS STRING) AS key1, CAST(NULL AS STRING) AS key2,
    count(*) AS events, count(DISTINCT user_key) AS users, count(DISTINCT app_key) AS apps, count(DISTINCT ip) AS ips,
    min(event_time) AS first_seen, max(event_time) AS last_seen FROM in_scope
  UNION ALL SELECT 2, 'duplicates', CAST(NULL AS BIGINT), CAST(NULL AS STRING), CAST(NULL AS STRING), CAST(NULL AS STRING), CAST(NULL AS STRING), count(*), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), CAST(NULL AS TIMESTAMP), CAST(NULL AS TIMESTAMP) FROM ranked WHERE id IS NOT NULL AND copy > 1
  UNION ALL SELECT 3, 'cause', k.rule_order, k.family, k.cause, CAST(NULL AS STRING), CAST(NULL AS STRING), count(s.rule_order), count(DISTINCT s.user_key), count(DISTINCT s.app_key), count(DISTINCT s.ip), min(s.event_time), max(s.event_time)
    FROM rules k LEFT JOIN in_scope s ON s.rule_order = k.rule_order GROUP BY k.rule_order, k.family, k.cause
  UNION ALL SELECT 4, 'family', f.family_order, f.family, CAST(NULL AS STRING), CAST(NULL AS STRING), CAST(NULL AS STRING), count(s.rule_order), count(DISTINCT s.user_key), count(DISTINCT s.app_key), count(DISTINCT s.ip), min(s.event_time), max(s.event_time)
    FROM families f LEFT JOIN in_scope s ON s.family = f.family GROUP BY f.family_order, f.family
  UNION ALL SELECT 5, 'by_app', CAST(NULL AS BIGINT), CAST(NULL AS STRING), CAST(NULL AS STRING), coalesce(app, ''), coalesce(app_id, ''), count(*), count(DISTINCT user_key), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), min(event_time), max(event_time) FROM in_scope GROUP BY coalesce(app, ''), coalesce(app_id, '')
  UNION ALL SELECT 5, 'by_app', rule_order, family, cause, coalesce(app, ''), coalesce(app_id, ''), count(*), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), min(event_time), max(event_time) FROM in_scope GROUP BY rule_order, family, cause, coalesce(app, ''), coalesce(app_id, '')
  UNION ALL SELECT 6, 'by_user', CAST(NULL AS BIGINT), CAST(NULL AS STRING), CAST(NULL AS STRING), coalesce(user_name, ''), coalesce(user_id, ''), count(*), CAST(NULL AS BIGINT), count(DISTINCT app_key), CAST(NULL AS BIGINT), min(event_time), max(event_time) FROM in_scope GROUP BY coalesce(user_name, ''), coalesce(user_id, '')
  UNION ALL SELECT 6, 'by_user', rule_order, family, cause, coalesce(user_name, ''), coalesce(user_id, ''), count(*), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), min(event_time), max(event_time) FROM in_scope GROUP BY rule_order, family, cause, coalesce(user_name, ''), coalesce(user_id, '')
  UNION ALL SELECT 7, 'by_ip', CAST(NULL AS BIGINT), CAST(NULL AS STRING), CAST(NULL AS STRING), coalesce(ip, ''), coalesce(country, ''), count(*), count(DISTINCT user_key), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), min(event_time), max(event_time) FROM in_scope GROUP BY coalesce(ip, ''), coalesce(country, '')
  UNION ALL SELECT 7, 'by_ip', rule_order, family, cause, coalesce(ip, ''), coalesce(country, ''), count(*), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), min(event_time), max(event_time) FROM in_scope GROUP BY rule_order, family, cause, coalesce(ip, ''), coalesce(country, '')
  UNION ALL SELECT 8, 'by_client', CAST(NULL AS BIGINT), CAST(NULL AS STRING), CAST(NULL AS STRING), coalesce(client_app, ''), coalesce(sign_in_type, ''), count(*), count(DISTINCT user_key), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), min(event_time), max(event_time) FROM in_scope GROUP BY coalesce(client_app, ''), coalesce(sign_in_type, '')
  UNION ALL SELECT 8, 'by_client', rule_order, family, cause, coalesce(client_app, ''), coalesce(sign_in_type, ''), count(*), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), min(event_time), max(event_time) FROM in_scope GROUP BY rule_order, family, cause, coalesce(client_app, ''), coalesce(sign_in_type, '')
) AS report
ORDER BY part, CASE WHEN cause IS NULL THEN 0 ELSE 1 END, CASE WHEN part >= 5 AND cause IS NULL THEN -events ELSE 0 END, key1, key2, rule_order
