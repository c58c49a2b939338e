// The Log Analytics tables the KQL export reads, as `getschema` gives them: column names and
// Kusto types. Built from the Azure Monitor Logs table reference (SigninLogs,
// AADNonInteractiveUserSignInLogs: the reference pages of 2024 and 2026 and a workspace's
// getschema of 2026) and ../../../shared/FIELDS.md. What differs between the two sign-in
// tables is the point: Status, DeviceDetail, LocationDetails, MfaDetail,
// ConditionalAccessPolicies, TokenProtectionStatusDetails and Agent are dynamic in
// SigninLogs and string in AADNonInteractiveUserSignInLogs; some columns are in one only
// (ServicePrincipalName, ResourceId, ProcessingTimeInMilliseconds against
// ProcessingTimeInMs, SignInEventTypes, ConditionalAccessPoliciesV2).
'use strict';

const common = {
  TenantId: 'string', SourceSystem: 'string', TimeGenerated: 'datetime', OperationName: 'string',
  OperationVersion: 'string', Category: 'string', ResultType: 'string', ResultSignature: 'string',
  ResultDescription: 'string', DurationMs: 'long', CorrelationId: 'string', ResourceGroup: 'string',
  Identity: 'string', Level: 'string', Location: 'string', AADTenantId: 'string',
  AlternateSignInName: 'string', AppDisplayName: 'string', AppId: 'string', AppliedEventListeners: 'dynamic',
  AppOwnerTenantId: 'string', AuthenticationContextClassReferences: 'string', AuthenticationDetails: 'string',
  AuthenticationMethodsUsed: 'string', AuthenticationProcessingDetails: 'string', AuthenticationProtocol: 'string',
  AuthenticationRequirement: 'string', AuthenticationRequirementPolicies: 'string', AuthenticatorAppLocation: 'string',
  AutonomousSystemNumber: 'string', ClientAppUsed: 'string', ClientCredentialType: 'string', ClientSessionId: 'string',
  ConditionalAccessAudiences: 'string', ConditionalAccessStatus: 'string', CreatedDateTime: 'datetime',
  CrossTenantAccessType: 'string', FederatedCredentialId: 'string', GlobalSecureAccessIpAddress: 'string',
  HomeTenantId: 'string', HomeTenantName: 'string', Id: 'string', IncomingTokenType: 'string', IPAddress: 'string',
  IsInteractive: 'bool', IsRisky: 'bool', IsTenantRestricted: 'bool', IsThroughGlobalSecureAccess: 'bool',
  NetworkLocationDetails: 'string', OriginalRequestId: 'string', OriginalTransferMethod: 'string',
  ResourceDisplayName: 'string', ResourceIdentity: 'string', ResourceOwnerTenantId: 'string',
  ResourceServicePrincipalId: 'string', ResourceTenantId: 'string', RootActorID: 'string', RiskDetail: 'string',
  RiskEventTypes: 'string', RiskEventTypes_V2: 'string', RiskLevelAggregated: 'string', RiskLevelDuringSignIn: 'string',
  RiskState: 'string', ServicePrincipalId: 'string', SessionId: 'string', SessionLifetimePolicies: 'string',
  SignInIdentifierType: 'string', TokenIssuerName: 'string', TokenIssuerType: 'string', UniqueTokenIdentifier: 'string',
  UserAgent: 'string', UserDisplayName: 'string', UserId: 'string', UserPrincipalName: 'string', UserType: 'string',
  Type: 'string',
};

const SigninLogs = {
  ...common,
  Agent: 'dynamic', ConditionalAccessPolicies: 'dynamic', DeviceDetail: 'dynamic', LocationDetails: 'dynamic',
  MfaDetail: 'dynamic', Status: 'dynamic', TokenProtectionStatusDetails: 'dynamic',
  AppliedConditionalAccessPolicies: 'string', AuthenticationAppDeviceDetails: 'string',
  AuthenticationAppPolicyEvaluationDetails: 'string', FlaggedForReview: 'bool', IPAddressFromResourceProvider: 'string',
  ProcessingTimeInMilliseconds: 'string', Resource: 'string', ResourceId: 'string', ResourceProvider: 'string',
  RiskLevel: 'string', ServicePrincipalName: 'string', SignInIdentifier: 'string', SourceAppClientId: 'string',
};

const AADNonInteractiveUserSignInLogs = {
  ...common,
  Agent: 'string', ConditionalAccessPolicies: 'string', DeviceDetail: 'string', LocationDetails: 'string',
  MfaDetail: 'string', Status: 'string', TokenProtectionStatusDetails: 'string',
  ConditionalAccessPoliciesV2: 'dynamic', ProcessingTimeInMs: 'string', SignInEventTypes: 'string',
};

// AuditLogs: the directory audit log (Azure Monitor Logs table reference).
const AuditLogs = {
  TenantId: 'string', SourceSystem: 'string', TimeGenerated: 'datetime', ResourceId: 'string', OperationName: 'string',
  OperationVersion: 'string', Category: 'string', ResultType: 'string', ResultSignature: 'string',
  ResultDescription: 'string', DurationMs: 'long', CorrelationId: 'string', Resource: 'string', ResourceGroup: 'string',
  ResourceProvider: 'string', Identity: 'string', Level: 'string', Location: 'string', AADOperationType: 'string',
  ActivityDateTime: 'datetime', ActivityDisplayName: 'string', AdditionalDetails: 'dynamic', AADTenantId: 'string',
  Id: 'string', InitiatedBy: 'dynamic', LoggedByService: 'string', Result: 'string', ResultReason: 'string',
  TargetResources: 'dynamic', Type: 'string',
};

module.exports = { SigninLogs, AADNonInteractiveUserSignInLogs, AuditLogs };
