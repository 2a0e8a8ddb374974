import { Module } from '@nestjs/common';
import { IncidentsModule } from '../incidents/incidents.module';
import { OncallService } from './oncall.service';
import { EscalationPoliciesController, RoutesController } from './policies.controller';
import { EscalationAuditor } from './escalation-auditor';
import { EscalationEngine } from './escalation-engine';
import { EscalationViews } from './escalation-views';
import { CalendarLinksService } from './calendar-links.service';
import { ContactSendsController, ContactsController } from './contacts.controller';
import { ContactsService } from './contacts.service';
import { ContactsStore } from './contacts.store';
import { PersonalPager } from './personal-pager';
import { CalendarFeedController, EscalationController, OncallController, SchedulesController, UserCalendarController } from './schedules.controller';

/** Schedules, who is on call, escalation policies and the escalation engine, and people's contact methods and notification rules. */
@Module({
  imports: [IncidentsModule],
  controllers: [SchedulesController, OncallController, UserCalendarController, CalendarFeedController, EscalationController, EscalationPoliciesController, RoutesController, ContactsController, ContactSendsController],
  providers: [OncallService, EscalationEngine, EscalationAuditor, EscalationViews, CalendarLinksService, ContactsStore, ContactsService, PersonalPager],
  exports: [OncallService, EscalationEngine, EscalationAuditor, EscalationViews, ContactsStore, PersonalPager],
})
export class OncallModule {}
