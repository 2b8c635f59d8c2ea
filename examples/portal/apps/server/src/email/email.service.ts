import { Injectable, Logger } from '@nestjs/common';
import { Resend } from 'resend';
import {
  invitationHtml,
  InvitationEmailInput,
  onboardingNotificationHtml,
  OnboardingNotificationInput,
} from './templates';

export interface SendEmailInput {
  to: string | string[];
  subject: string;
  html: string;
  replyTo?: string;
}

@Injectable()
export class EmailService {
  private readonly logger = new Logger(EmailService.name);
  private readonly resend = new Resend(process.env.RESEND_API_KEY);
  private readonly from = process.env.EMAIL_FROM ?? 'Portal <no-reply@portal.example.com>';
  private readonly supportEmail = process.env.SUPPORT_EMAIL ?? 'support@portal.example.com';

  async sendEmail(input: SendEmailInput): Promise<string> {
    const { data, error } = await this.resend.emails.send({
      from: this.from,
      to: input.to,
      subject: input.subject,
      html: input.html,
      replyTo: input.replyTo,
    });

    if (error || !data) {
      throw new Error(`Resend rejected email "${input.subject}": ${error?.message ?? 'no response'}`);
    }

    this.logger.debug(`Sent email ${data.id} (${input.subject})`);
    return data.id;
  }

  async sendOnboardingNotification(input: OnboardingNotificationInput): Promise<string> {
    return this.sendEmail({
      to: this.supportEmail,
      subject: `Onboarding complete: ${input.organisationName}`,
      html: onboardingNotificationHtml(input),
      replyTo: input.userEmail,
    });
  }

  async sendInvitationEmail(to: string, input: InvitationEmailInput): Promise<string> {
    return this.sendEmail({
      to,
      subject: `You're invited to ${input.organisationName} on Portal`,
      html: invitationHtml(input),
    });
  }
}
