import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { RulesService } from '../rules/rules.service';
import { AlertIntake } from './alert-intake';
import { loadRoutes } from './routes-loader';
import { RoutesService } from './routes.service';

/** Routes from alerts/*.yaml and the alert intake that sources publish to. */
@Global()
@Module({
  providers: [
    { provide: AlertIntake, useValue: new AlertIntake() },
    {
      provide: RoutesService,
      inject: [APP_CONFIG, RulesService],
      useFactory: (config: AppConfig, rules: RulesService) =>
        new RoutesService(loadRoutes(config.alertsDir, (file) => Boolean(rules.runbook(file.replace(/\.md$/, ''))))),
    },
  ],
  exports: [AlertIntake, RoutesService],
})
export class RoutingModule {}
