export interface OnboardingNotificationInput {
  userEmail: string;
  userName: string | null;
  organisationName: string;
  plan: string;
  deploymentKind: string;
}

export interface InvitationEmailInput {
  organisationName: string;
  inviterName: string | null;
  acceptUrl: string;
}

const escape = (value: string): string =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function onboardingNotificationHtml(input: OnboardingNotificationInput): string {
  return `
    <h2>New onboarding completed</h2>
    <ul>
      <li><strong>User:</strong> ${escape(input.userName ?? input.userEmail)} (${escape(input.userEmail)})</li>
      <li><strong>Organisation:</strong> ${escape(input.organisationName)}</li>
      <li><strong>Plan:</strong> ${escape(input.plan)}</li>
      <li><strong>Deployment:</strong> ${escape(input.deploymentKind)}</li>
    </ul>`;
}

export function invitationHtml(input: InvitationEmailInput): string {
  const inviter = input.inviterName ? escape(input.inviterName) : 'A teammate';
  return `
    <p>${inviter} invited you to join <strong>${escape(input.organisationName)}</strong> on Portal.</p>
    <p><a href="${input.acceptUrl}">Accept the invitation</a></p>
    <p>This link expires in 7 days.</p>`;
}
