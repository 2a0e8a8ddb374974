import { Global, Module } from '@nestjs/common';
import { LOGGER, type Logger } from '../common/logger';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { loadRoutes } from './routes-loader';
import { RoutesService } from './routes.service';
import { RulesController } from './rules.controller';
import { RulesReloadAudit } from './rules-reload-audit';
import { RulesService } from './rules.service';
import { RunbooksController } from './runbooks.controller';

/** The definitions loaded from alerts/ (SLOs, experiments, rollback policies, routes) and runbooks/. */
@Global()
@Module({
  controllers: [RulesController, RunbooksController],
  providers: [
    RulesService,
    RulesReloadAudit,
    {
      provide: RoutesService,
      inject: [APP_CONFIG, RulesService, LOGGER],
      useFactory: (config: AppConfig, rules: RulesService, logger: Logger) => {
        const load = () => loadRoutes(config.alertsDir, (file) => Boolean(rules.runbook(file.replace(/\.md$/, ''))));
        const routes = new RoutesService(load(), rules.inhibition());
        // Routes reload with the rules (alerts/ is watched); a bad change keeps the routes in force.
        rules.onReload((reloaded) => {
          routes.replaceInhibition(reloaded.inhibition);
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
  exports: [RulesService, RoutesService],
})
export class RulesModule {}
