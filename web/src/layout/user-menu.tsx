import NotificationsActiveIcon from '@mui/icons-material/NotificationsActive';
import { ListItemIcon, ListItemText, MenuItem } from '@mui/material';
import type { Ref } from 'react';
import { AppBar, Logout, UserMenu, useGetIdentity, useUserMenu } from 'react-admin';
import { Link } from 'react-router-dom';

/** The signed-in person's own page, where they set how pages reach them (the menu passes a ref, a plain prop since React 19). */
const MyNotifications = ({ ref, ...props }: { ref?: Ref<HTMLAnchorElement> }) => {
  const { identity } = useGetIdentity();
  const menu = useUserMenu();
  if (!identity) return null;
  return (
    <MenuItem ref={ref} {...props} component={Link} to={`/users/${encodeURIComponent(String(identity.id))}/show`} onClick={() => menu?.onClose()}>
      <ListItemIcon>
        <NotificationsActiveIcon fontSize="small" />
      </ListItemIcon>
      <ListItemText>My notification rules</ListItemText>
    </MenuItem>
  );
};

/** react-admin's app bar, whose user menu also leads to the person's notification rules. */
export const HeadroomAppBar = () => (
  <AppBar
    userMenu={
      <UserMenu>
        <MyNotifications />
        <Logout />
      </UserMenu>
    }
  />
);
