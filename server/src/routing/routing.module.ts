import { Global, Module } from '@nestjs/common';
import { LOGGER, type Logger } from '../common/logger';
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
      inject: [APP_CONFIG, RulesService, LOGGER],
      useFactory: (config: AppConfig, rules: RulesService, logger: Logger) => {
        const load = () => loadRoutes(config.alertsDir, (file) => Boolean(rules.runbook(file.replace(/\.md$/, ''))));
        const routes = new RoutesService(load());
        // Routes reload with the rules (alerts/ is watched); a bad change keeps the routes in force.
        rules.onReload(() => {
          try {
            routes.replace(load());
            logger.info({ routes: routes.all().length }, 'alert routes reloaded');
          } catch (err) {
            logger.error({ err: (err as Error).message }, 'alert routes not reloaded; the previous routes stay in force');
          }
        });
        return routes;
      },
    },
  ],
  exports: [AlertIntake, RoutesService],
})
export class RoutingModule {}
