import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { IntegrationKeyGuard } from './integration-key.guard';
import { IntegrationKeysService } from './integration-keys.service';
import { IntegrationsController } from './integrations.controller';
import { ApiTokensController } from './api-tokens.controller';
import { ApiTokensService } from './api-tokens.service';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';
import { UserStore } from './user-store';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { SLACK_DIRECTORY, WebClientSlackDirectory } from './slack-directory';
import { SignInLimiter } from './sign-in-limiter';
import { SlackIdentityService } from './slack-identity';

@Global()
@Module({
  controllers: [AuthController, IntegrationsController, UsersController, ApiTokensController],
  providers: [
    AuthService, UsersService, UserStore, ApiTokensService, IntegrationKeysService, IntegrationKeyGuard, SlackIdentityService, SignInLimiter,
    { provide: APP_GUARD, useClass: AuthGuard },
    {
      provide: SLACK_DIRECTORY,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => (config.slack ? new WebClientSlackDirectory(config.slack.botToken, config.slack.apiUrl) : null),
    },
  ],
  exports: [AuthService, UsersService, UserStore, IntegrationKeysService, IntegrationKeyGuard, SlackIdentityService],
})
export class AuthModule {}
